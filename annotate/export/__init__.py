"""Exports: a registry of formats, each one module; the writers and provenance are shared."""

from annotate.export.base import ExportFormat, ExportSummary
from annotate.export.raw import RAW
from annotate.export.trl import TRL

FORMATS: dict[str, ExportFormat] = {fmt.name: fmt for fmt in (TRL, RAW)}

__all__ = ["FORMATS", "ExportFormat", "ExportSummary"]
