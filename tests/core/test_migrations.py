"""Alembic is the only way the schema is made: upgrade head on an empty database matches the models."""

from __future__ import annotations

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from helpers import scratch_database
from sqlalchemy import inspect

from annotate.db import Base, make_engine
from annotate.schema import current, downgrade, include_object, upgrade


@pytest.fixture
def empty_engine(tmp_path):
    with scratch_database("annotate_mig", os.environ.get("ANNOTATE_TEST_DATABASE_URL"), tmp_path / "empty.db") as url:
        engine = make_engine(url)
        yield engine
        engine.dispose()


def test_upgrade_head_matches_models(empty_engine):
    assert current(empty_engine) is None
    upgrade(empty_engine)
    with empty_engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include_object})
        diff = compare_metadata(context, Base.metadata)
    assert diff == [], f"models and migrations differ; write a migration: {diff}"


def test_downgrade_to_base_and_up_again(empty_engine):
    upgrade(empty_engine)
    downgrade(empty_engine, "base")
    tables = set(inspect(empty_engine).get_table_names()) - {"alembic_version"}
    assert tables == set()
    upgrade(empty_engine)
    assert set(inspect(empty_engine).get_table_names()) >= {t.name for t in Base.metadata.sorted_tables}


def test_sqlite_pragmas(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'p.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()
