"""Errors that say where: file, line or row, and JSON path."""

from __future__ import annotations


def printable(text: str) -> str:
    """``text`` with NUL characters written as ``\\x00``: a message quotes keys and values from
    the data, and PostgreSQL cannot store NUL in text (nor should a page show it)."""
    return text.replace("\x00", "\\x00")


class RowError(ValueError):
    """A row cannot become an item. ``path`` is the JSON path inside the row (may be empty)."""

    def __init__(self, path: str, message: str):
        self.path = path = printable(path)
        self.message = message = printable(message)
        super().__init__(f"{path}: {message}" if path else message)


class ImportFailed(Exception):
    """The import stopped and nothing from it was kept. The message names file, location and field."""

    def __init__(self, source: str, location: str | None, detail: str):
        self.source = source = printable(source)
        self.location = location
        self.detail = detail = printable(detail)
        where = f"{source}: {location}" if location else source
        super().__init__(f"{where}: {detail}")


class LimitExceeded(ImportFailed):
    """The import was refused for a size or depth limit (``annotate.limits``); the API answers 413."""
