"""Engine, sessions and the declarative Base.

One engine per app, one session per app context (request or CLI command).
Services only ``flush()``; the view or command commits once (STYLE.md 4).

SQLite: WAL, foreign keys on, a busy timeout, and transactions we begin
ourselves so that writers can ask for ``BEGIN IMMEDIATE``. A deferred
transaction that reads and then writes fails with "database is locked" under
contention (its snapshot is stale when it tries to upgrade to a write lock),
so every request or command that writes takes the write lock first.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app, g
import orjson
from sqlalchemy import DateTime, MetaData, TypeDecorator, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

WRITE_OPTION = "annotate_write"


class Base(DeclarativeBase):
    """Base of every model; constraint names follow NAMING_CONVENTION."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """The current time in UTC, as a timezone-aware datetime."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored as UTC and always returned timezone-aware.

    SQLite keeps no time zone, so without this a value read back is naive and
    cannot be compared with ``utcnow()``.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use annotate.db.utcnow()")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _json_dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def make_engine(url: str, echo: bool = False) -> Engine:
    """Create an engine with this project's per-backend settings."""
    options: dict[str, Any] = {"echo": echo, "json_serializer": _json_dumps, "json_deserializer": orjson.loads}
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30}, **options)
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, **options)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        for pragma in (
            # Only takes effect when the database file is new (before WAL is set): items
            # of 2-3 KB of JSON waste half of every 4 KB page, and an import of 100k such
            # rows ran 3x slower than with 8 KB pages (bench/RESULTS.md, Ingest).
            "page_size=8192",
            "journal_mode=WAL",
            "synchronous=NORMAL",
            "foreign_keys=ON",
            "busy_timeout=30000",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        write = conn.get_execution_options().get(WRITE_OPTION)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def begin_write(session: Session) -> None:
    """Start the session's transaction as a writer.

    On SQLite this takes the database write lock up front (``BEGIN
    IMMEDIATE``), so concurrent writers queue on the busy timeout instead of
    failing; on PostgreSQL it is a no-op and row locks do the work. Call it
    before the first query of a unit of work that writes.
    """
    if not session.in_transaction():
        session.connection(execution_options={WRITE_OPTION: True})


def init_app(app: Flask) -> None:
    """Attach an engine and a session factory to the app; close sessions on teardown."""
    engine = make_engine(app.config["DATABASE_URL"], echo=app.config["SQL_ECHO"])
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    app.extensions["annotate.db"] = (engine, factory)
    app.teardown_appcontext(_close_session)


def engine() -> Engine:
    """The current app's engine."""
    return current_app.extensions["annotate.db"][0]


def session() -> Session:
    """The session of the current app context, created on first use."""
    if "db_session" not in g:
        g.db_session = current_app.extensions["annotate.db"][1]()
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    s = g.pop("db_session", None)
    if s is not None:
        s.close()
