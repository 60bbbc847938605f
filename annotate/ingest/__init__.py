"""Ingest: readers (one per source format) -> shapes (to the canonical item) -> validated,
staged and atomically committed items. See ``pipeline`` for the atomicity design."""

from annotate.ingest.errors import ImportFailed, RowError
from annotate.ingest.services import ImportOptions, ImportSummary, import_file, import_rows, import_sources

__all__ = ["ImportFailed", "ImportOptions", "ImportSummary", "RowError", "import_file", "import_rows", "import_sources"]
