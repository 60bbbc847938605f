"""Alembic environment: runs against a connection handed in by `annotate db upgrade`,
or against ANNOTATE_DATABASE_URL when alembic is called directly."""

from __future__ import annotations

import os

from alembic import context

import annotate.models  # noqa: F401  (registers every table on Base.metadata)
from annotate.db import Base, UTCDateTime, make_engine
from annotate.schema import include_object

config = context.config
target_metadata = Base.metadata


def _render_item(type_, obj, autogen_context):
    """Render our UTC timestamp type as the plain column type it stores, so
    migrations never import application code."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
        include_object=include_object,
    )


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = config.get_main_option("sqlalchemy.url") or os.environ.get("ANNOTATE_DATABASE_URL")
    if not url:
        raise SystemExit("Set ANNOTATE_DATABASE_URL, or run `annotate db upgrade`.")
    engine = make_engine(url)
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:  # foreign keys off while migrating, as annotate.schema explains
            conn.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        _configure(conn)
        with context.begin_transaction():
            context.run_migrations()
        if sqlite:
            conn.connection.driver_connection.execute("PRAGMA foreign_keys=ON")
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Offline (--sql) migrations are not supported; run against a database.")
run_migrations_online()
