"""Full-text search over items: PostgreSQL full-text search, SQLite FTS5 (migration 0011).

Both index the string values of the item's prompt, responses and metadata, and its
external id; a search matches the items holding every word of it (English stemming on
both: "dogs" finds "dog").
"""

from __future__ import annotations

import re

from sqlalchemy import Column, ColumnElement, Integer, MetaData, Table, Text, func, literal, literal_column

QUERY_MAX = 200

# The FTS5 table, described for queries only: it is not on Base.metadata (migration 0011 makes it).
items_fts = Table("items_fts", MetaData(), Column("rowid", Integer, primary_key=True), Column("body", Text))


def pg_document(table: str = "") -> str:
    """The tsvector expression indexed by migration 0011 (``ix_items_search``), its columns
    prefixed with ``table.``. It must stay exactly the indexed one, or PostgreSQL cannot use
    the index (tests/browse/test_search.py compares the two)."""
    t = f"{table}." if table else ""
    return (
        f"to_tsvector('english', {t}external_id)"
        f" || json_to_tsvector('english', {t}prompt, '[\"string\"]')"
        f" || json_to_tsvector('english', {t}responses, '[\"string\"]')"
        f" || json_to_tsvector('english', {t}metadata, '[\"string\"]')"
    )


def words(q: str) -> list[str]:
    """The words of a search as typed, quotes dropped."""
    return [w for w in re.split(r"\s+", q.replace('"', " ").strip()) if w]


def fts5_query(q: str) -> str:
    """A search as an FTS5 query that cannot be a syntax error: every word a quoted phrase
    (``gpt-4`` is gpt followed by 4; AND, OR, NEAR and * are plain words), all of them required."""
    return " ".join(f'"{w}"' for w in words(q))


def pg_matches(q: str) -> ColumnElement[bool]:
    """PostgreSQL: the item's indexed document holds every word of ``q``."""
    query = func.plainto_tsquery(literal_column("'english'::regconfig"), literal(" ".join(words(q))))
    return literal_column(f"({pg_document('items')})").op("@@")(query)


def sqlite_matches(q: str) -> ColumnElement[bool]:
    """SQLite: the FTS5 row (joined on ``items_fts.rowid = items.id``) matches every word of ``q``."""
    return literal_column("items_fts").op("MATCH")(literal(fts5_query(q)))
