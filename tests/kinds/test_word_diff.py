"""The server-side word diff: both texts reconstruct exactly from its runs, and it is escaped."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from annotate.kinds.diff import WORD_DIFF_BUDGET, diff_html, word_diff

TEXT = st.text(alphabet=st.sampled_from(list("ab c,\n<>&é🌏")), max_size=120)


@settings(max_examples=200, deadline=None)
@given(before=TEXT, after=TEXT)
def test_runs_rebuild_both_texts(before, after):
    runs = word_diff(before, after)
    assert "".join(t for op, t in runs if op != "insert") == before
    assert "".join(t for op, t in runs if op != "delete") == after
    assert all(t for _op, t in runs)


def test_a_changed_word_is_marked_alone():
    assert word_diff("The capital is Sydney, on the coast.", "The capital is Canberra, on the coast.") == (
        ("equal", "The capital is "),
        ("delete", "Sydney"),
        ("insert", "Canberra"),
        ("equal", ", on the coast."),
    )


def test_html_is_escaped():
    html = str(diff_html('<img src=x onerror="alert(1)">', "<script>alert(1)</script>"))
    assert "<img" not in html
    assert "<script" not in html
    assert "img src=x onerror=&#34;" in html


def test_a_huge_replaced_block_falls_back_to_delete_insert():
    before = " ".join(f"w{i}" for i in range(400))
    after = " ".join(f"v{i}" for i in range(400))
    assert WORD_DIFF_BUDGET < 400 * 400
    assert word_diff(before, after) == (("delete", before), ("insert", after))
