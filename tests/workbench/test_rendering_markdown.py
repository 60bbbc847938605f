"""annotate.rendering: Markdown with highlighted code and MathML, sanitised; media URLs."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from annotate.rendering import markdown, media_url

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "<svg onload=alert(1)>",
    "[click](javascript:alert(1))",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](javascript:alert(1))",
    '<a hx-get="/logout" hx-trigger="load">x</a>',
    '<div hx-on:click="alert(1)">x</div>',
    "$\\href{javascript:alert(1)}{click}$",
]


def test_code_is_highlighted_with_classes_only():
    html = str(markdown("```python\ndef f():\n    return 1\n```"))
    assert '<pre class="highlight" dir="ltr"><code class="language-python">' in html, "code stays left to right"
    assert '<span class="hl-k">def</span>' in html
    assert "style=" not in html


def test_unknown_language_and_plain_fences_are_escaped_text():
    html = str(markdown("```nosuchlang\n<b>x</b>\n```"))
    assert "&lt;b&gt;x&lt;/b&gt;" in html
    assert "<b>" not in html


def test_math_becomes_mathml_and_prices_stay_text():
    html = str(markdown("Euler: $e^{i\\pi}+1=0$. It costs $5 and $10.\n\n$$\\frac{a}{b}$$"))
    assert '<math display="inline">' in html
    assert "<msup>" in html
    assert '<math display="block">' in html
    assert "<mfrac>" in html
    assert "It costs $5 and $10." in html


def test_broken_math_is_shown_as_source():
    html = str(markdown("$\\frac{a}{$"))
    assert "math-error" in html or "\\frac{a}{" in html


class Elements(HTMLParser):
    """Every element and attribute the browser would build from the HTML."""

    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_markdown_is_inert(text):
    parser = Elements()
    parser.feed(str(markdown(text)))
    for tag, attrs in parser.found:
        assert tag not in {"script", "img", "svg", "iframe", "object", "style"}, tag
        for name, value in attrs.items():
            assert not name.startswith(("on", "hx-", "data-")), (tag, name)
            assert not (value or "").strip().lower().startswith(("javascript:", "data:")), (tag, name, value)


def test_links_get_rel_and_keep_safe_urls():
    html = str(markdown("[docs](https://example.org/a?b=1)"))
    assert 'href="https://example.org/a?b=1"' in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_results_are_cached_per_content():
    markdown.cache_clear()
    markdown("# same")
    markdown("# same")
    info = markdown.cache_info()
    assert info.hits == 1
    assert info.misses == 1


@pytest.mark.parametrize(
    ("src", "safe"),
    [
        ("https://cdn.example.org/a.png", "https://cdn.example.org/a.png"),
        (f"/media/1/{'a' * 64}.png", f"/media/1/{'a' * 64}.png"),
        # Only stored names: any other same-origin path would make the viewer's browser GET it.
        ("/media/1/a.png", ""),
        ("/media/../p/x/export?format=raw", ""),
        (f"/media/1/{'a' * 64}.png?x=1", ""),
        ("//evil.example/a.png", ""),
        ("https:///p/x/export", ""),
        ("javascript:alert(1)", ""),
        ("data:image/png;base64,AAAA", ""),
        (" JAVASCRIPT:alert(1)", ""),
    ],
)
def test_media_urls(src, safe):
    assert media_url(src) == safe


def test_highlight_stylesheet_is_served(client):
    response = client.get("/static/css/highlight.css")
    assert response.status_code == 200
    assert b".highlight .hl-k" in response.data
