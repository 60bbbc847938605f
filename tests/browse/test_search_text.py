"""The search text the import writes (``annotate.browse.index``, computed in Python) is the one
SQLite's delete and update triggers compute in SQL (migration 0011's ``json_tree`` walk): a
contentless FTS5 table can only forget an item by being told the same words."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from annotate.browse.index import pending
from annotate.browse.search import document_text
from annotate.models import Batch, Item

SQL_DOCUMENT = " || ' ' || ".join(
    ["external_id"]
    + [
        f"coalesce((SELECT group_concat(value, ' ') FROM json_tree(items.{c}) WHERE type = 'text'), '')"
        for c in ("prompt", "responses", "metadata")
    ]
)

ROWS = [
    {
        "id": "odd-1",
        "prompt": [{"role": "user", "content": 'Quotes " and \\\\ back\\nslash, émigré, 東京, 🙂'}],
        "responses": [
            {"id": "r1", "content": "Première réponse", "model": "m-a"},
            {"id": "r2", "content": "second <b>answer</b>", "model": "m-b"},
        ],
        "metadata": {"nested": {"deep": ["list", {"of": "strings"}], "n": 3, "flag": True, "none": None}, "x": 1.5},
    },
    {
        "id": "odd-2",
        "prompt": "plain prompt",
        "responses": [{"id": "a", "content": "one"}, {"id": "b", "content": "two"}],
        "metadata": {},
    },
]


def test_the_imported_search_text_is_what_the_triggers_compute(is_postgres, session, make_project, import_rows):
    if is_postgres:
        pytest.skip("SQLite's FTS5 triggers; PostgreSQL indexes with the same SQL expression")
    project = make_project("words")
    import_rows(project, ROWS)
    for item in session.scalars(select(Item).where(Item.project_id == project.id)):
        stored = session.execute(text(f"SELECT {SQL_DOCUMENT} FROM items WHERE id = :id"), {"id": item.id}).scalar()
        assert document_text(item.external_id, item.prompt, item.responses, item.meta).split() == stored.split()


def test_an_imported_batch_is_searchable_and_its_items_can_be_deleted(session, make_project, import_rows):
    project = make_project("words2")
    summary = import_rows(project, ROWS)
    assert not pending(session, summary.batch_id)
    # Deleting indexed items (the delete trigger on SQLite, the cascade on PostgreSQL) keeps the index sound.
    session.execute(text("DELETE FROM items WHERE external_id = 'odd-1'"))
    session.commit()
    import_rows(project, [dict(ROWS[0], id="odd-3")], name="again.jsonl")
    batch = session.scalars(select(Batch).order_by(Batch.id.desc())).first()
    assert not pending(session, batch.id)
