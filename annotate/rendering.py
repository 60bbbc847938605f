"""Model output and instructions rendered safely: Markdown -> HTML -> sanitised.

Model output is untrusted. markdown-it runs with raw HTML off; fenced code is
highlighted by Pygments (CSS classes only, the stylesheet is a static file);
``$…$`` and ``$$…$$`` become MathML on the server (latex2mathml), so no script
is needed to show math and the CSP stays strict. Then nh3 keeps only an
allowlist of tags and attributes and drops every URL scheme but http, https
and mailto (no ``javascript:``, no ``data:``). Containers that show the result
also carry ``hx-disable`` so htmx ignores anything inside them.

Text inside math (``\\text{…}`` and friends) is escaped: latex2mathml's own
serialisation un-escapes it, so ``\\text{<div class="notice">}`` would reach the
page as HTML. And content may carry only the classes this renderer emits itself
(``CONTENT_CLASSES``: code highlighting and math errors), never the app's own
(notice boxes, visually-hidden, …), so a dataset cannot dress up as the app's UI.

Results are cached per content, within a budget of characters
(``ANNOTATE_RENDER_CACHE_CHARS``); text past ``ANNOTATE_RENDER_MAX_CHARS`` is shown
as plain, escaped text: Markdown and math cost time with the length of the input.
"""

from __future__ import annotations

import html
import re
import threading
from collections import OrderedDict, namedtuple
from functools import lru_cache
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup
from mdit_py_plugins.dollarmath import dollarmath_plugin

from annotate.limits import setting

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
# The only classes content may carry: those the renderer itself emits (Pygments tokens,
# the highlight and language wrappers, math errors). tests/security/test_math.py checks
# that none is a class the app's own templates or stylesheets use.
CONTENT_CLASS = re.compile(
    r"^(?:hl-[a-z0-9]{1,8}|language-[A-Za-z0-9_+#.-]{1,64}|highlight|math-error|md-math|md-math-block)$"
)
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


# latex2mathml writes characters as "&#x…;" into the text of its elements: once the tree
# is serialised with escaping, those (and only those) are turned back into references.
_ESCAPED_REFERENCE = re.compile(r"&amp;(#x[0-9A-Fa-f]{1,6};)")


def _math(content: str, options: dict[str, Any]) -> str:
    """LaTeX to MathML, its text escaped; anything latex2mathml cannot parse is shown as the source text."""
    from xml.etree.ElementTree import tostring

    from latex2mathml.converter import convert_to_element

    display = "block" if options.get("display_mode") else "inline"
    try:
        tree = convert_to_element(content, display=display)
    except Exception:  # latex2mathml raises many kinds (and RecursionError) on odd input
        return f'<code class="math-error">{html.escape(content)}</code>'
    # Not latex2mathml's convert(): it un-escapes the serialised tree, so "<" in \text{} became markup.
    return _ESCAPED_REFERENCE.sub(r"&\1", tostring(tree, encoding="unicode"))


_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False, "highlight": _highlight})
_md.enable("table").enable("strikethrough")
# allow_space/allow_digits off: "$5 and $10" is prices, not math.
_md.use(dollarmath_plugin, allow_space=False, allow_digits=False, double_inline=True, renderer=_math)


def _math_rule(tag: str, classes: str, display: bool) -> Any:
    """A render rule for the plugin's math tokens, wrapped in the renderer's own ``md-math``
    classes (the plugin's ``math inline`` would collide with the app's ``inline`` class)."""

    def rule(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
        body = _math(str(tokens[idx].content).strip(), {"display_mode": display})
        return f'<{tag} class="{classes}">{body}</{tag}>' + ("\n" if tag == "div" else "")

    return rule


for _name, _tag, _classes, _display in (
    ("math_inline", "span", "md-math", False),
    ("math_inline_double", "div", "md-math", True),
    ("math_block", "div", "md-math md-math-block", True),
    ("math_block_label", "div", "md-math md-math-block", True),  # the label's anchor is dropped
):
    _md.add_render_rule(_name, _math_rule(_tag, _classes, _display))


# Right-to-left and mixed scripts: each block of text takes the direction of its first strong
# character (dir="auto"), so an Arabic paragraph reads right to left beside an English one;
# code stays left to right whatever surrounds it. Set by the sanitiser, never taken from content.
DIRECTIONS = {
    **{tag: {"dir": "auto"} for tag in ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "td", "th")},
    "pre": {"dir": "ltr"},
}


def _attribute(tag: str, name: str, value: str) -> str | None:
    """nh3's attribute filter: a ``class`` keeps only the renderer's own class names."""
    if name != "class":
        return value
    kept = [token for token in value.split() if CONTENT_CLASS.match(token)]
    return " ".join(kept) or None


def _render(text: str) -> str:
    if len(text) > setting("RENDER_MAX_CHARS"):
        # The renderer's own note (not content), then the text itself, escaped, unformatted.
        return (
            f'<p class="muted">This text is longer than {setting("RENDER_MAX_CHARS"):,} characters '
            "(ANNOTATE_RENDER_MAX_CHARS), so it is shown without formatting.</p>"
            f"<pre>{html.escape(text)}</pre>"
        )
    return nh3.clean(
        _md.render(text),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_attribute,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
        set_tag_attribute_values=DIRECTIONS,
    )


CacheInfo = namedtuple("CacheInfo", ["hits", "misses", "entries", "chars"])


class _RenderCache:
    """Rendered HTML by source text, least recently used first out, holding at most
    ``ANNOTATE_RENDER_CACHE_CHARS`` characters of source and HTML together (an entry
    count alone would let 4096 long responses hold gigabytes)."""

    def __init__(self) -> None:
        self._entries: OrderedDict[str, str] = OrderedDict()
        self._chars = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, text: str) -> str | None:
        with self._lock:
            found = self._entries.get(text)
            if found is None:
                self.misses += 1
                return None
            self._entries.move_to_end(text)
            self.hits += 1
            return found

    def put(self, text: str, rendered: str) -> None:
        budget = setting("RENDER_CACHE_CHARS")
        size = len(text) + len(rendered)
        if size > budget // 8:
            return  # one entry may not crowd out the rest
        with self._lock:
            if text in self._entries:
                return
            self._entries[text] = rendered
            self._chars += size
            while self._chars > budget and self._entries:
                old_text, old = self._entries.popitem(last=False)
                self._chars -= len(old_text) + len(old)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._chars = 0
            self.hits = self.misses = 0

    def info(self) -> CacheInfo:
        with self._lock:
            return CacheInfo(self.hits, self.misses, len(self._entries), self._chars)


_cache = _RenderCache()


def markdown(text: str | None) -> Markup:
    """Render untrusted Markdown to sanitised HTML (cached by content, see ``_RenderCache``)."""
    if not text:
        return Markup("")
    found = _cache.get(text)
    if found is None:
        found = _render(text)
        _cache.put(text, found)
    return Markup(found)


markdown.cache_clear = _cache.clear  # type: ignore[attr-defined]
markdown.cache_info = _cache.info  # type: ignore[attr-defined]


def highlight_css() -> str:
    """The Pygments stylesheet for highlighted code (served from static/css/highlight.css)."""
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(classprefix=HIGHLIGHT_PREFIX, style="default").get_style_defs(".highlight")


STORED_MEDIA = re.compile(r"^/media/[0-9]{1,18}/[0-9a-f]{64}\.[a-z0-9]{2,5}$")
UNSAFE_URL = re.compile(r"[\x00-\x20\x7f\\]")


def media_url(src: str) -> str:
    """A media reference that is safe to put in ``src``: an http(s) URL of some host, or
    exactly a stored ``/media/<project>/<sha256>.<ext>`` name; anything else (``javascript:``,
    ``data:``, ``/media/../p/x/export``, ``//host``) becomes an empty string. The import
    refuses such sources already (``annotate.ingest.media``); this holds for older items."""
    src = (src or "").strip()
    if STORED_MEDIA.match(src):
        return src
    if src.startswith(("https://", "http://")) and not UNSAFE_URL.search(src) and src.split("/", 3)[2:3] != [""]:
        return src
    return ""
