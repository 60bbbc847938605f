"""Server-side word diff, rendered as escaped HTML (model output is untrusted).

Two levels keep it fast on 4 KB responses: lines are matched first, then only
replaced line blocks are diffed word by word. A replaced block too large to
word-diff cheaply is shown as removed-then-added, so a page never waits on a
quadratic diff. Results are cached per pair of texts.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from functools import lru_cache

from markupsafe import Markup, escape

# A word or a punctuation mark, each with the white space after it: a diff at word
# grain that still shows a changed comma, without a token for every space.
TOKEN_RE = re.compile(r"\w+\s*|[^\w\s]\s*|\s+", re.UNICODE)
# Word-diff a replaced block only while len(a) * len(b) tokens stays under this.
WORD_DIFF_BUDGET = 60_000

Runs = tuple[tuple[str, str], ...]


def tokens(text: str) -> list[str]:
    return TOKEN_RE.findall(text)


def _append(runs: list[tuple[str, str]], op: str, text: str) -> None:
    if not text:
        return
    if runs and runs[-1][0] == op:
        runs[-1] = (op, runs[-1][1] + text)
    else:
        runs.append((op, text))


def _word_runs(before: str, after: str, runs: list[tuple[str, str]]) -> None:
    a, b = tokens(before), tokens(after)
    if len(a) * len(b) > WORD_DIFF_BUDGET:
        _append(runs, "delete", before)
        _append(runs, "insert", after)
        return
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            _append(runs, "equal", "".join(a[i1:i2]))
            continue
        if op in ("delete", "replace"):
            _append(runs, "delete", "".join(a[i1:i2]))
        if op in ("insert", "replace"):
            _append(runs, "insert", "".join(b[j1:j2]))


@lru_cache(maxsize=512)
def word_diff(before: str, after: str) -> Runs:
    """``(op, text)`` runs turning ``before`` into ``after``; op is ``equal``, ``delete`` or ``insert``."""
    a, b = before.splitlines(keepends=True), after.splitlines(keepends=True)
    runs: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            _append(runs, "equal", "".join(a[i1:i2]))
        elif op == "delete":
            _append(runs, "delete", "".join(a[i1:i2]))
        elif op == "insert":
            _append(runs, "insert", "".join(b[j1:j2]))
        else:
            _word_runs("".join(a[i1:i2]), "".join(b[j1:j2]), runs)
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
