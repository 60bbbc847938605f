"""Math and classes in rendered content (issue 12, hole 8): text inside LaTeX is escaped, and
content carries only the renderer's own classes, none of which the app's UI uses."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from annotate.rendering import CONTENT_CLASS, markdown

ANNOTATE = Path(__file__).resolve().parents[2] / "annotate"


class _Tags(HTMLParser):
    """The elements of an HTML fragment and their class tokens, as a browser would see them."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, list[str]]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, (dict(attrs).get("class") or "").split()))


def _classes(html: str) -> set[str]:
    return {token for _tag, tokens in _Tags(html).tags for token in tokens}


def _tags(html: str) -> set[str]:
    return {tag for tag, _tokens in _Tags(html).tags}


@pytest.fixture(autouse=True)
def fresh_cache():
    markdown.cache_clear()
    yield
    markdown.cache_clear()


@pytest.mark.parametrize(
    "latex",
    [
        r'\text{<div class="notice">Approved by the lab</div>}',
        r"\mbox{<b>bold</b>}",
        r'\text{<span class="visually-hidden">hidden</span>}',
        r"\text{<img src=x onerror=alert(1)>}",
        r"\mathrm{x}\text{</math><p class=notice>out</p>}",
    ],
)
@pytest.mark.parametrize("delimiters", [("$", "$"), ("$$", "$$")])
def test_html_inside_math_is_shown_as_text(latex, delimiters):
    html = str(markdown(f"See {delimiters[0]}{latex}{delimiters[1]} here"))
    assert "&lt;" in html  # the markup is there, as text
    assert "img" not in _tags(html)
    assert "b" not in _tags(html)
    assert _classes(html) <= {"md-math"}
    assert [tag for tag, _ in _Tags(html).tags if tag == "div"] == (["div"] if delimiters[0] == "$$" else [])


@pytest.mark.parametrize(
    "source",
    [
        r"$\class{notice}{x}$",
        r"$\style{display:none}{x}$",
        r"$\href{javascript:alert(1)}{x}$",
        "```notice\ncode\n```",
    ],
)
def test_math_commands_set_no_attributes_of_the_apps(source):
    html = str(markdown(source))
    assert "notice" not in _classes(html)
    assert "style=" not in html
    assert "javascript" not in html
    assert all(CONTENT_CLASS.match(token) for token in _classes(html)), _classes(html)


def test_math_still_renders():
    html = str(markdown(r"Euler: $e^{i\pi} + 1 = 0$ and $\text{a < b}$"))
    assert "<msup>" in html
    assert "a&nbsp;&lt;&nbsp;b" in html or "a &lt; b" in html


def _app_classes() -> set[str]:
    """Every class name the app's own templates and stylesheets use."""
    names: set[str] = set()
    for template in ANNOTATE.rglob("*.html"):  # the app's templates and each kind's own
        for value in re.findall(r'class="([^"]*)"', template.read_text()):
            names.update(t for t in re.sub(r"\{[{%].*?[%}]\}", " ", value).split() if t)
    for sheet in ANNOTATE.rglob("*.css"):  # the app's stylesheets and each kind's own
        if sheet.name == "highlight.css":
            continue  # the renderer's own stylesheet (Pygments)
        names.update(re.findall(r"\.([A-Za-z_][\w-]*)", re.sub(r"/\*.*?\*/", "", sheet.read_text(), flags=re.S)))
    return names


def test_no_class_content_may_carry_is_one_of_the_apps_own():
    app_classes = _app_classes()
    assert {"notice", "visually-hidden", "inline", "muted"} <= app_classes  # the scan sees them
    # The renderer's own classes are styled in app.css only for rendered content: allowed.
    own = {"math-error", "md-math", "md-math-block"}
    clashing = {c for c in app_classes - own if CONTENT_CLASS.match(c)}
    assert not clashing


def test_long_text_is_shown_plain_and_the_cache_is_bounded(app):
    app.config["RENDER_MAX_CHARS"] = 1000
    app.config["RENDER_CACHE_CHARS"] = 50_000
    with app.app_context():
        long = "# title\n" + "*x* " * 400
        html = str(markdown(long))
        assert "<h1>" not in html
        assert "<pre>" in html
        assert "ANNOTATE_RENDER_MAX_CHARS" in html
        for n in range(200):
            markdown(f"text number {n} " + "y" * 500)
        info = markdown.cache_info()
        assert info.chars <= 50_000
        assert 0 < info.entries < 200
