"""Alembic, driven from Python: `annotate db upgrade` and the tests use these."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

from annotate.config import REPO_ROOT


def alembic_config() -> Config:
    """The project's Alembic config (alembic.ini at the repository root)."""
    cfg = Config(str(REPO_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(REPO_ROOT / "migrations"))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to ``revision`` on ``engine``'s database."""
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Revert migrations down to ``revision`` on ``engine``'s database."""
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def current(engine: Engine) -> str | None:
    """The revision the database is at, or None when it has none."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


# What the migrations make that the models do not describe: full-text search structures
# (migration 0011). Autogenerate leaves them out of its comparison.
NOT_MODELS = {"table": ("items_fts",), "index": ("ix_items_search",)}


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's ``include_object`` hook: skip the search structures (the FTS5 table and its
    shadow tables ``items_fts_*``, the PostgreSQL expression index)."""
    prefixes = NOT_MODELS.get(type_, ())
    return not (reflected and name is not None and name.startswith(prefixes))
