"""Model output shown by the kinds' own widgets (raw text for spans, rewrite box, word
diff, ranking cards, rubric grid) stays inert text, and template strings are escaped too."""

from __future__ import annotations

import re

import pytest

HOSTILE = '<script>alert(1)</script> <img src=x onerror="alert(2)"> <svg onload=alert(3)> <a hx-get="/x">y</a> {{7*7}}'


def rows(k: int) -> list[dict]:
    return [
        {
            "id": "h1",
            "prompt": "Q?",
            "responses": [{"id": f"r{j}", "content": HOSTILE + f" {j}"} for j in range(1, k + 1)],
        }
    ]


@pytest.mark.parametrize(("template", "k"), [("pairwise", 2), ("ranking", 3), ("critique", 2), ("rubric", 2)])
def test_hostile_response_is_inert_in_every_kind(on_task, template, k):
    _project, _aid, html = on_task(template, rows=rows(k))
    body = html.split('class="kind kind-', 1)[1]
    assert "<script>alert" not in body
    assert not re.search(r"<img[^>]*onerror", body)
    assert not re.search(r"<svg[^>]*onload", body)
    assert not re.search(r'<a [^>]*hx-get="/x"', body)
    assert "49" not in body  # {{7*7}} is text, never evaluated
    assert "{{7*7}}" in body


def test_critique_keeps_the_raw_text_exactly_for_offsets(on_task):
    _project, _aid, html = on_task("critique", rows=rows(1))
    raw = html.split("data-raw-text", 1)[1].split(">", 1)[1].split("</pre>", 1)[0]
    # One newline after <pre> (the parser drops it), then the content, escaped.
    assert raw.startswith("\n&lt;script&gt;alert(1)&lt;/script&gt;")
