"""Shapes: what a row looks like, and how it becomes a canonical item.

A registry of named shapes (STYLE.md 11), each a detector (does the first row
look like this?) and a converter (row -> canonical item). Detection looks at the
first row and tries the shapes in order, most specific first; every row is then
converted with the same shape, and a row that does not fit fails naming the
field that is wrong. An explicit mapping (``mapping.py``) bypasses detection.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from annotate.ingest.shapes import preference, single
from annotate.ingest.shapes.common import Item, Row, content_hash
from annotate.ingest.shapes.mapping import Mapping, convert
from annotate.ingest.shapes.preference import parse_transcript


@dataclass(frozen=True)
class Shape:
    """A named row shape: ``detect(first_row)`` and ``convert(row) -> item``."""

    name: str
    title: str
    detect: Callable[[Row], bool]
    convert: Callable[[Row], Item]


SHAPES: dict[str, Shape] = {
    shape.name: shape
    for shape in (
        Shape("canonical", "canonical items / prompt + responses list", single.is_canonical, single.canonical),
        Shape(
            "alpaca-pairwise",
            "AlpacaEval pairwise rows (judge preference as suggestion)",
            preference.is_alpaca_pairwise,
            preference.alpaca_pairwise,
        ),
        Shape("trl", "TRL preference, explicit prompt", preference.is_trl, preference.trl),
        Shape("hh-rlhf", "HH-RLHF transcript pairs", preference.is_hh, preference.hh),
        Shape("trl-implicit", "TRL preference, implicit prompt", preference.is_trl_implicit, preference.trl_implicit),
        Shape("messages", "chat messages ending with the reply to judge", single.is_messages, single.chat_messages),
        Shape("prompt-response", "prompt + single response", single.is_prompt_response, single.prompt_response),
        Shape(
            "instruction-output",
            "instruction + output (one model's outputs)",
            single.is_instruction_output,
            single.instruction_output,
        ),
        Shape(
            "prompt-only",
            "prompt alone, or with a model draft (demonstrations)",
            single.is_prompt_only,
            single.prompt_only,
        ),
    )
}


def detect_shape(row: Row) -> Shape | None:
    """The first shape whose detector accepts ``row``, or None."""
    return next((shape for shape in SHAPES.values() if shape.detect(row)), None)


def mapped_shape(mapping: Mapping) -> Shape:
    """The shape an explicit mapping defines."""
    return Shape("mapping", "explicit mapping", lambda row: True, lambda row: convert(mapping, row))


def describe_shapes() -> str:
    """The shapes we recognise, for an error message."""
    return "; ".join(f"{s.name} ({s.title})" for s in SHAPES.values()) + "; or give an explicit mapping (--map)"


__all__ = [
    "SHAPES",
    "Item",
    "Row",
    "Shape",
    "content_hash",
    "describe_shapes",
    "detect_shape",
    "mapped_shape",
    "parse_transcript",
]
