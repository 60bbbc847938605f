"""Ingest: readers (one per source format) -> shapes (to the canonical item) -> validated, bulk-inserted items."""

from annotate.ingest.errors import ImportFailed, RowError
from annotate.ingest.services import ImportSummary, import_file

__all__ = ["ImportFailed", "ImportSummary", "RowError", "import_file"]
