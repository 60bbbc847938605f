"""Server-side word diff, rendered as escaped HTML (model output is untrusted)."""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from functools import lru_cache

from markupsafe import Markup, escape

# Words, runs of white space, and single punctuation marks: a diff at word grain
# that still shows a changed comma.
TOKEN_RE = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)


def tokens(text: str) -> list[str]:
    return TOKEN_RE.findall(text)


@lru_cache(maxsize=256)
def word_diff(before: str, after: str) -> tuple[tuple[str, str], ...]:
    """``(op, text)`` runs turning ``before`` into ``after``; op is ``equal``, ``delete`` or ``insert``."""
    a, b = tokens(before), tokens(after)
    runs: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            runs.append(("equal", "".join(a[i1:i2])))
            continue
        if op in ("delete", "replace"):
            runs.append(("delete", "".join(a[i1:i2])))
        if op in ("insert", "replace"):
            runs.append(("insert", "".join(b[j1:j2])))
    return tuple(runs)


def diff_html(before: str, after: str) -> Markup:
    """The word diff as ``<del>``/``<ins>`` markup; every piece of text is escaped."""
    out = []
    for op, text in word_diff(before or "", after or ""):
        if op == "equal":
            out.append(str(escape(text)))
        elif op == "delete":
            out.append(f'<del class="diff-del">{escape(text)}</del>')
        else:
            out.append(f'<ins class="diff-ins">{escape(text)}</ins>')
    return Markup("".join(out))
