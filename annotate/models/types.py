"""Column types shared by the models."""

from __future__ import annotations

import enum

from sqlalchemy import JSON, Enum

# Plain JSON, not JSONB: JSONB reorders keys, and exports promise the data
# "exactly as imported".
Json = JSON()


def str_enum(cls: type[enum.Enum], name: str) -> Enum:
    """A portable enum column: stored as its value, guarded by a named CHECK constraint."""
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(m.value) for m in cls),
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )
