"""Model output and instructions rendered safely: Markdown -> HTML -> sanitised.

Model output is untrusted. markdown-it runs with raw HTML off; fenced code is
highlighted by Pygments (CSS classes only, the stylesheet is a static file);
``$…$`` and ``$$…$$`` become MathML on the server (latex2mathml), so no script
is needed to show math and the CSP stays strict. Then nh3 keeps only an
allowlist of tags and attributes and drops every URL scheme but http, https
and mailto (no ``javascript:``, no ``data:``). Containers that show the result
also carry ``hx-disable`` so htmx ignores anything inside them.

Results are cached per content: the same response is rendered once per process.
"""

from __future__ import annotations

import html
from functools import lru_cache
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup
from mdit_py_plugins.dollarmath import dollarmath_plugin

# MathML Core presentation elements latex2mathml produces; nothing that links or scripts.
MATH_TAGS = {
    "math",
    "mrow",
    "mi",
    "mn",
    "mo",
    "ms",
    "mtext",
    "mspace",
    "mfrac",
    "msqrt",
    "mroot",
    "msub",
    "msup",
    "msubsup",
    "munder",
    "mover",
    "munderover",
    "mtable",
    "mtr",
    "mtd",
    "mstyle",
    "mpadded",
    "mphantom",
    "menclose",
    "merror",
    "semantics",
    "annotation",
}
MATH_ATTRIBUTES = {
    "display",
    "mathvariant",
    "stretchy",
    "fence",
    "separator",
    "lspace",
    "rspace",
    "minsize",
    "maxsize",
    "movablelimits",
    "accent",
    "accentunder",
    "displaystyle",
    "scriptlevel",
    "columnalign",
    "rowalign",
    "columnspacing",
    "rowspacing",
    "columnlines",
    "rowlines",
    "frame",
    "width",
    "height",
    "depth",
    "linethickness",
    "notation",
    "mathsize",
    "symmetric",
    "largeop",
    "form",
    "columnspan",
    "rowspan",
    "encoding",
}
ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "code",
    "em",
    "strong",
    "del",
    "ul",
    "ol",
    "li",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "span",
    "div",
    "sup",
    "sub",
    "kbd",
} | MATH_TAGS
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "code": {"class"},
    "pre": {"class"},
    "span": {"class"},
    "div": {"class"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
    **{tag: set(MATH_ATTRIBUTES) for tag in MATH_TAGS},
}
URL_SCHEMES = {"http", "https", "mailto"}
# Pygments token classes are prefixed so they cannot collide with the app's own classes.
HIGHLIGHT_PREFIX = "hl-"
# Above this size a code block is shown plain: highlighting megabytes of code costs more than it helps.
HIGHLIGHT_MAX_CHARS = 100_000


@lru_cache(maxsize=1)
def _formatter() -> Any:
    from pygments.formatters import HtmlFormatter

    # Building a formatter computes its whole style table: do it once, not per code block.
    return HtmlFormatter(nowrap=True, classprefix=HIGHLIGHT_PREFIX)


@lru_cache(maxsize=256)
def _lexer(lang: str) -> Any:
    """The Pygments lexer for a fence's language name, or None (lexers are reusable)."""
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        return get_lexer_by_name(lang)
    except ClassNotFound:
        return None


def _highlight(code: str, lang: str, _attrs: Any) -> str:
    """markdown-it's ``highlight`` hook: Pygments HTML with class names only (no inline styles)."""
    if not lang or len(code) > HIGHLIGHT_MAX_CHARS:
        return ""  # markdown-it escapes and wraps it itself
    lexer = _lexer(lang.split()[0].lower()[:64])
    if lexer is None:
        return ""
    from pygments import highlight

    body = highlight(code, lexer, _formatter())
    name = lexer.aliases[0] if lexer.aliases else "text"
    return f'<pre class="highlight"><code class="language-{html.escape(name)}">{body}</code></pre>'


def _math(content: str, options: dict[str, Any]) -> str:
    """LaTeX to MathML; anything latex2mathml cannot parse is shown as the source text."""
    from latex2mathml.converter import convert

    display = "block" if options.get("display_mode") else "inline"
    try:
        return convert(content, display=display)
    except Exception:
        return f'<code class="math-error">{html.escape(content)}</code>'


_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False, "highlight": _highlight})
_md.enable("table").enable("strikethrough")
# allow_space/allow_digits off: "$5 and $10" is prices, not math.
_md.use(dollarmath_plugin, allow_space=False, allow_digits=False, double_inline=True, renderer=_math)


@lru_cache(maxsize=4096)
def markdown(text: str | None) -> Markup:
    """Render untrusted Markdown to sanitised HTML (cached by content)."""
    if not text:
        return Markup("")
    clean = nh3.clean(
        _md.render(text),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return Markup(clean)


def highlight_css() -> str:
    """The Pygments stylesheet for highlighted code (served from static/css/highlight.css)."""
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(classprefix=HIGHLIGHT_PREFIX, style="default").get_style_defs(".highlight")


def media_url(src: str) -> str:
    """A media reference that is safe to put in ``src``: http(s) URLs as given; anything else
    (e.g. ``javascript:``, ``data:``) becomes an empty string. Files relative to an import
    are served by the ingest package's media route, which rewrites them on import."""
    src = (src or "").strip()
    if src.startswith(("https://", "http://", "/media/")):
        return src
    return ""
