"""Import messages in the words of the page that shows them.

The services speak the command line's language (``--map``, ``--join KEY``), which is right in
a terminal and meaningless on the import page, whose controls have names of their own."""

from __future__ import annotations

import re

# (pattern, the page's words), most specific first.
PAGE_WORDS = [
    (
        r"several sources need --join KEY to say how their rows match",
        "several files need a column to match their rows on: fill in “Join the files on column”",
    ),
    (r"--join needs two or more files", "joining needs two or more files: upload them together"),
    (r"give an explicit mapping \(--map\)", "map the columns yourself (“Map the columns yourself” below)"),
    (r"choose one with --split", "import it with `annotate import --split` on the server"),
    (r"--skip-invalid", "“Skip invalid rows”"),
    (r"--map\b", "the column mapping"),
    (r"--join\b", "“Join the files on column”"),
    (r"--shape\b", "the Shape choice"),
    (r"--format\b", "the Format choice"),
]
_COMPILED = [(re.compile(p), words) for p, words in PAGE_WORDS]


def for_the_page(message: str | None) -> str:
    """``message`` with every command-line flag replaced by the page control it stands for."""
    text = message or ""
    for pattern, words in _COMPILED:
        text = pattern.sub(words, text)
    return text
