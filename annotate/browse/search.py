"""Full-text search over items: PostgreSQL full-text search, SQLite FTS5 (migration 0011).

Both index the string values of the item's prompt, responses and metadata, and its
external id; a search matches the items holding every word of it (English stemming on
both: "dogs" finds "dog").
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Column, ColumnElement, Integer, MetaData, Table, Text, func, literal, literal_column, select

QUERY_MAX = 200

# The FTS5 table (SQLite) and the tsvector table (PostgreSQL), described for queries only: they
# are not on Base.metadata (migrations 0011 and 0013 make them; annotate.browse.index fills them).
items_fts = Table("items_fts", MetaData(), Column("rowid", Integer, primary_key=True), Column("body", Text))
item_search = Table("item_search", MetaData(), Column("item_id", Integer, primary_key=True), Column("document", Text))


def pg_document(table: str = "") -> str:
    """The tsvector of an item that ``item_search`` holds (migration 0013, ``annotate.browse.index``),
    its columns prefixed with ``table.``."""
    t = f"{table}." if table else ""
    return (
        f"to_tsvector('english', {t}external_id)"
        f" || json_to_tsvector('english', {t}prompt, '[\"string\"]')"
        f" || json_to_tsvector('english', {t}responses, '[\"string\"]')"
        f" || json_to_tsvector('english', {t}metadata, '[\"string\"]')"
    )


def document_text(external_id: str, prompt: Any, responses: Any, metadata: Any) -> str:
    """SQLite: the text FTS5 indexes for an item, as migration 0011's triggers compute it in SQL
    (the external id, then every string value of prompt, responses and metadata in document
    order). The import writes it itself (a trigger's three ``json_tree`` scans per row cost
    more than the row); the delete trigger recomputes it in SQL, so the two must give the same
    words (tests/browse/test_search_text.py)."""
    parts = [external_id]
    for value in (prompt, responses, metadata):
        _strings(value, parts)
    return " ".join(parts)


def _strings(value: Any, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(value)
    elif isinstance(value, dict):
        for child in value.values():
            _strings(child, out)
    elif isinstance(value, list):
        for child in value:
            _strings(child, out)


def words(q: str) -> list[str]:
    """The words of a search as typed, quotes dropped."""
    return [w for w in re.split(r"\s+", q.replace('"', " ").strip()) if w]


def fts5_query(q: str) -> str:
    """A search as an FTS5 query that cannot be a syntax error: every word a quoted phrase
    (``gpt-4`` is gpt followed by 4; AND, OR, NEAR and * are plain words), all of them required."""
    return " ".join(f'"{w}"' for w in words(q))


def pg_matches(q: str) -> ColumnElement[bool]:
    """PostgreSQL: the item's indexed document holds every word of ``q`` (through the GIN index
    of ``item_search``)."""
    query = func.plainto_tsquery(literal_column("'english'::regconfig"), literal(" ".join(words(q))))
    matching = select(item_search.c.item_id).where(item_search.c.document.op("@@")(query))
    return literal_column("items.id").in_(matching)


def sqlite_matches(q: str) -> ColumnElement[bool]:
    """SQLite: the FTS5 row (joined on ``items_fts.rowid = items.id``) matches every word of ``q``."""
    return literal_column("items_fts").op("MATCH")(literal(fts5_query(q)))
