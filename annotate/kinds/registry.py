"""Finding kinds: the built-in folders under ``annotate/kinds/`` and the kinds other packages
register under the ``annotate.kinds`` entry point group.

Nothing is imported until a kind is first asked for (STYLE.md 2 and 15): the app starts
without loading any kind, and a lab's package is imported on the first page, import or
export that needs a kind. A plug-in that fails to load (import error, not a Kind, a name
taken, a broken config schema) is left out and logged; asking for it by name says why.

A plug-in's ``pyproject.toml``::

    [project.entry-points."annotate.kinds"]
    thumbs = "my_lab.annotate_thumbs:KIND"

The entry point's name is the kind's name; its object is a ``Kind`` (or a function of no
arguments returning one).
"""

from __future__ import annotations

import importlib
import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import EntryPoint, entry_points

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from annotate.kinds.base import Kind

log = logging.getLogger(__name__)

GROUP = "annotate.kinds"
# The folders under annotate/kinds/, in the order pages and messages list them.
BUILTIN = ("pairwise", "ranking", "critique", "rubric", "rating", "caption", "demonstration")
NAME_RE = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")


@dataclass
class Loaded:
    kinds: dict[str, Kind] = field(default_factory=dict)
    broken: dict[str, str] = field(default_factory=dict)  # name -> why it was left out


def kind_problems(kind: Kind) -> list[str]:
    """What keeps ``kind`` from working: its name, its config schema, its partial and files."""
    found = []
    if not NAME_RE.match(kind.name):
        found.append(f"name {kind.name!r} is not lower-case letters, digits, - and _ (at most 40)")
    try:
        Draft202012Validator.check_schema(kind.config_schema)
    except SchemaError as exc:
        found.append(f"config_schema is not a valid JSON Schema: {exc.message}")
    partial = kind.folder / "templates" / f"_{kind.name}.html"
    if not partial.is_file():
        found.append(f"no partial at {partial}")
    for asset in (*kind.scripts, *kind.styles):
        if not (kind.folder / "static" / asset).is_file():
            found.append(f"no file {asset} in {kind.folder / 'static'}")
    if kind.max_responses is not None and kind.max_responses < kind.min_responses:
        found.append("max_responses is below min_responses")
    return found


def _builtin(name: str) -> Kind:
    kind: Kind = importlib.import_module(f"annotate.kinds.{name}").KIND
    return kind


def _from_entry_point(entry: EntryPoint) -> Kind:
    obj = entry.load()
    if not isinstance(obj, Kind) and callable(obj):
        obj = obj()
    if not isinstance(obj, Kind):
        raise TypeError(f"{entry.value} is a {type(obj).__name__}, not an annotate.kinds.base.Kind")
    if obj.name != entry.name:
        raise ValueError(f"the entry point is named {entry.name!r} but its kind is named {obj.name!r}")
    return obj


@cache
def loaded() -> Loaded:
    """Every kind, built-in first (in BUILTIN order), then the plug-ins by name."""
    found = Loaded({name: _builtin(name) for name in BUILTIN})
    for entry in sorted(entry_points(group=GROUP), key=lambda e: e.name):
        where = f"entry point {entry.name} = {entry.value}" + (f" ({entry.dist.name})" if entry.dist else "")
        if entry.name in found.kinds:
            found.broken.setdefault(entry.name, f"{where}: the name {entry.name!r} is taken by another kind")
            log.error("task kind left out: %s", found.broken[entry.name])
            continue
        try:
            kind = _from_entry_point(entry)
            problems = kind_problems(kind)
        except Exception as exc:  # a lab's package may fail in any way; the app keeps running
            problems = [f"{type(exc).__name__}: {exc}"]
        if problems:
            found.broken[entry.name] = f"{where}: " + "; ".join(problems)
            log.error("task kind left out: %s", found.broken[entry.name])
            continue
        found.kinds[kind.name] = kind
    return found


def reload() -> None:
    """Forget the kinds found, so the next use looks again (after installing a plug-in; tests)."""
    loaded.cache_clear()


def builtin_kinds() -> dict[str, Kind]:
    """The kinds annotate ships, without any plug-in."""
    return {name: _builtin(name) for name in BUILTIN}


def get_kind(name: str) -> Kind:
    """The kind registered under ``name``; KeyError names the known kinds (and why a plug-in of
    that name was left out)."""
    found = loaded()
    try:
        return found.kinds[name]
    except KeyError:
        why = f" ({found.broken[name]})" if name in found.broken else ""
        raise KeyError(f"unknown task kind {name!r}{why}; known kinds: {', '.join(found.kinds)}") from None


class Registry(Mapping[str, Kind]):
    """Every kind by name, read-only; loads them on first use."""

    def __getitem__(self, name: str) -> Kind:
        return loaded().kinds[name]

    def __iter__(self) -> Iterator[str]:
        return iter(loaded().kinds)

    def __len__(self) -> int:
        return len(loaded().kinds)

    def __repr__(self) -> str:
        return f"<kinds {', '.join(self)}>"


KINDS = Registry()
