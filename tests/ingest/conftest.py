"""Fixtures for the ingest tests: a project per task kind and an item counter."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from annotate.models import Item


@pytest.fixture
def count_items(session):
    def count(project=None) -> int:
        session.rollback()
        query = select(func.count()).select_from(Item)
        if project is not None:
            query = query.where(Item.project_id == project.id)
        return session.scalar(query)

    return count


@pytest.fixture
def items_of(session):
    def items(project):
        session.rollback()
        return session.scalars(select(Item).where(Item.project_id == project.id).order_by(Item.id)).all()

    return items


@pytest.fixture
def process_bytes(app):
    """``with process_bytes(value):`` imports in an app context with ANNOTATE_IMPORT_PROCESS_BYTES
    set to ``value`` (0: every file in the importing process; 1: every file in a converter process)."""

    def use(value: int):
        app.config["IMPORT_PROCESS_BYTES"] = value
        return app.app_context()

    return use
