"""Task kinds: code. Each kind is one module registered here by name.

A kind supplies the JSON Schema of its template ``config``, a builder for the
answer JSON Schema of one item, the Jinja partial that renders its controls,
the response counts it accepts, and what it contributes to exports.
Templates (``task_templates/*.json``) are data that pick a kind and configure it.
"""

from __future__ import annotations

from annotate.kinds.base import Kind
from annotate.kinds.pairwise import PAIRWISE

KINDS: dict[str, Kind] = {kind.name: kind for kind in (PAIRWISE,)}


def get_kind(name: str) -> Kind:
    """The kind registered under ``name``; KeyError names the known kinds."""
    try:
        return KINDS[name]
    except KeyError:
        raise KeyError(f"unknown task kind {name!r}; known kinds: {', '.join(sorted(KINDS))}") from None
