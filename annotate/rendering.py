"""Model output and instructions rendered safely: Markdown -> HTML -> sanitised.

Model output is untrusted. markdown-it runs with raw HTML off, then nh3 keeps
only an allowlist of tags and attributes and drops every URL scheme but http,
https and mailto (no ``javascript:``, no ``data:``). Containers that show the
result also carry ``hx-disable`` so htmx ignores anything inside them.
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "code", "em", "strong", "del",
    "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td", "span", "div", "sup", "sub", "kbd",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "code": {"class"},
    "span": {"class"},
    "div": {"class"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table").enable("strikethrough")


@lru_cache(maxsize=4096)
def markdown(text: str | None) -> Markup:
    """Render untrusted Markdown to sanitised HTML (cached by content)."""
    if not text:
        return Markup("")
    html = _md.render(text)
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    return Markup(clean)


def media_url(src: str) -> str:
    """A media reference that is safe to put in ``src``: http(s) URLs as given; anything else
    (e.g. ``javascript:``, ``data:``) becomes an empty string. Files relative to an import
    are served by the ingest package's media route, which rewrites them on import."""
    src = (src or "").strip()
    if src.startswith(("https://", "http://", "/media/")):
        return src
    return ""
