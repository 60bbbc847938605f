"""The ``pick`` kind of tests/fixtures/kindplugin: a package outside annotate, with its own
dist-info and ``annotate.kinds`` entry point, put on sys.path for one test."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from annotate.kinds import get_kind, reload
from annotate.kinds.base import Kind

PLUGIN_PATH = Path(__file__).resolve().parent / "fixtures" / "kindplugin"
TEMPLATE = {
    "kind": "pick",
    "version": 1,
    "title": "Pick the reply to send",
    "description": "Two replies; pick the one you would send to the user.",
    "instructions": "Pick the reply you would send, or neither.",
    "config": {"allow_neither": True},
}


@contextmanager
def installed() -> Iterator[Kind]:
    """The pick kind installed (on sys.path) for the block, and uninstalled after it."""
    sys.path.insert(0, str(PLUGIN_PATH))
    importlib.invalidate_caches()
    reload()
    try:
        yield get_kind("pick")
    finally:
        sys.path.remove(str(PLUGIN_PATH))
        for name in [m for m in sys.modules if m.split(".")[0] == "annotate_kind_pick"]:
            del sys.modules[name]
        importlib.invalidate_caches()
        reload()
