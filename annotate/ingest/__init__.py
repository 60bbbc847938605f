"""Ingest: readers (one per source format) -> shapes (to the canonical item) -> validated,
converted rows written in committed chunks of a batch that is invisible until complete.
See ``pipeline`` for the atomicity design and ``convert`` for the converter process.

The import functions are loaded on first use, so that a converter process
(``python -m annotate.ingest.convert``) starts without the database layer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from annotate.ingest.errors import ImportFailed, RowError

if TYPE_CHECKING:
    from annotate.ingest.services import ImportOptions, ImportSummary, import_file, import_rows, import_sources

__all__ = ["ImportFailed", "ImportOptions", "ImportSummary", "RowError", "import_file", "import_rows", "import_sources"]
_SERVICES = {"ImportOptions", "ImportSummary", "import_file", "import_rows", "import_sources"}


def __getattr__(name: str) -> Any:
    if name in _SERVICES:
        from annotate.ingest import services

        return getattr(services, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
