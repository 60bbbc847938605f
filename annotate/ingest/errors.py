"""Errors that say where: file, line or row, and JSON path."""

from __future__ import annotations


class RowError(ValueError):
    """A row cannot become an item. ``path`` is the JSON path inside the row (may be empty)."""

    def __init__(self, path: str, message: str):
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}" if path else message)


class ImportFailed(Exception):
    """The import stopped and nothing from it was kept. The message names file, location and field."""

    def __init__(self, source: str, location: str | None, detail: str):
        self.source = source
        self.location = location
        self.detail = detail
        where = f"{source}: {location}" if location else source
        super().__init__(f"{where}: {detail}")


class LimitExceeded(ImportFailed):
    """The import was refused for a size or depth limit (``annotate.limits``); the API answers 413."""
