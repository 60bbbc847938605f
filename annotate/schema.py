"""Alembic, driven from Python: `annotate db upgrade` and the tests use these."""

from __future__ import annotations

from collections.abc import Callable

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection, Engine

from annotate.config import REPO_ROOT


def alembic_config() -> Config:
    """The project's Alembic config (alembic.ini at the repository root)."""
    cfg = Config(str(REPO_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(REPO_ROOT / "migrations"))
    return cfg


class MigrationError(RuntimeError):
    """A migration left the database inconsistent; it was rolled back."""


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to ``revision`` on ``engine``'s database."""
    _migrate(engine, command.upgrade, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Revert migrations down to ``revision`` on ``engine``'s database."""
    _migrate(engine, command.downgrade, revision)


def _migrate(engine: Engine, run: Callable[[Config, str], None], revision: str) -> None:
    """Run ``run`` (alembic's upgrade or downgrade) in one transaction.

    SQLite: a batch migration copies a table and drops the old one, and with foreign keys on
    that DROP deletes every row that references it through ON DELETE CASCADE (a downgrade
    past 0008 emptied assignments and judgments). So foreign keys are off while migrating
    (SQLite ignores the pragma inside a transaction: it is set on the driver's connection
    before SQLAlchemy begins one), checked before the commit, and on again afterwards.
    """
    cfg = alembic_config()
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            _foreign_keys(conn, "OFF")
        try:
            with conn.begin():
                cfg.attributes["connection"] = conn
                run(cfg, revision)
                if sqlite:
                    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if broken:
                        raise MigrationError(f"migrating to {revision} broke foreign keys: {broken[:5]}")
        finally:
            if sqlite:
                _foreign_keys(conn, "ON")


def _foreign_keys(conn: Connection, state: str) -> None:
    """Set SQLite's foreign_keys pragma on the driver's connection, outside any transaction."""
    driver = conn.connection.driver_connection
    assert driver is not None  # a checked-out connection always has one
    driver.execute(f"PRAGMA foreign_keys={state}")


def current(engine: Engine) -> str | None:
    """The revision the database is at, or None when it has none."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


# What the migrations make that the models do not describe: full-text search structures
# (migrations 0011 and 0013), and the task queue's own tables when it lives in the app's PostgreSQL
# database (Huey makes them: annotate.jobs.queue). Autogenerate leaves them out of its comparison.
NOT_MODELS = {
    "table": ("items_fts", "item_search", "annotate_queue_"),
    "index": ("ix_items_search", "ix_item_search", "annotate_queue_"),
}


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's ``include_object`` hook: skip the search structures (the FTS5 table and its
    shadow tables ``items_fts_*``, the PostgreSQL expression index)."""
    prefixes = NOT_MODELS.get(type_, ())
    return not (reflected and name is not None and name.startswith(prefixes))
