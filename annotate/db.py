"""Engine, sessions and the declarative Base.

One engine per app, one session per app context (request or CLI command).
Services only ``flush()``; the request's unit of work (``annotate.unit_of_work``) or
the command or job commits once (STYLE.md 4).

SQLite: WAL, foreign keys on, a busy timeout, and transactions we begin
ourselves so that writers can ask for ``BEGIN IMMEDIATE``. A deferred
transaction that reads and then writes fails with "database is locked" under
contention (its snapshot is stale when it tries to upgrade to a write lock),
so every request or command that writes takes the write lock first. Writers
wait for it in a queue (``WriterQueue``), not in SQLite's busy handler.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import os
import sqlite3
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

import orjson
from flask import Flask, current_app, g
from sqlalchemy import DateTime, MetaData, Table, TypeDecorator, create_engine, event
from sqlalchemy.engine import CursorResult, Engine, Result
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

WRITE_OPTION = "annotate_write"
# Seconds a SQLite writer waits for the write lock before giving up ("database is locked").
BUSY_TIMEOUT = 30


class Base(DeclarativeBase):
    """Base of every model; constraint names follow NAMING_CONVENTION."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# The largest id (or offset) a query may be given: the id columns are INTEGER, 32-bit on PostgreSQL,
# which refuses a larger parameter ("integer out of range"); SQLite overflows past 2**63 - 1. A
# number from outside past it is refused (404, or clamped) before it reaches the driver.
MAX_ID = 2**31 - 1


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


def table_of(model: type[Base]) -> Table:
    """A model's ``Table`` (``Model.__table__`` is typed as any ``FromClause``)."""
    return cast(Table, model.__table__)


def rowcount(result: Result[Any]) -> int:
    """The rows an UPDATE or DELETE matched (``Session.execute`` is typed as returning a plain
    ``Result``; for those statements it is a ``CursorResult``)."""
    return cast("CursorResult[Any]", result).rowcount


_Built = TypeVar("_Built")


def prebuilt(build: Callable[..., _Built]) -> Callable[..., _Built]:
    """Build a statement once per set of arguments, on first use, and share it after.

    For the busiest requests (claim, submit, sign-in by token), where building a
    statement's Python objects costs more than the database takes to run it: the
    builder takes only structural choices (which clauses), and every value goes in as a
    ``bindparam`` at execution. The statement is compiled once before it is shared:
    SQLAlchemy collects some parts of a statement (an alias's columns) lazily, on first
    use, and two threads doing that at once can render it without its alias.
    """
    lock = threading.Lock()
    built: dict[tuple, _Built] = {}

    @functools.wraps(build)
    def get(*args: Any) -> _Built:
        statement = built.get(args)
        if statement is None:
            with lock:
                statement = built.get(args)
                if statement is None:
                    statement = build(*args)
                    statement.compile()  # type: ignore[attr-defined]
                    built[args] = statement
        return statement

    return get


def _json_dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def make_engine(url: str, echo: bool = False) -> Engine:
    """Create an engine with this project's per-backend settings."""
    options: dict[str, Any] = {"echo": echo, "json_serializer": _json_dumps, "json_deserializer": orjson.loads}
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT}, **options)
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20, **options)


class WriterQueue:
    """The writers of one SQLite database file, served one at a time in the order they come.

    SQLite lets one writer in at a time and makes the others wait in its busy handler,
    which sleeps and retries (sleeps of up to 100 ms): under load, waiting writers are
    served in no order and the latency tail grows long. Instead, a writer joins this
    queue before ``BEGIN IMMEDIATE`` and leaves it when its transaction ends (commit,
    rollback, the pool's reset, or the connection's invalidation). Threads of one
    process queue on a lock; processes (gunicorn workers, a CLI import) on an
    ``flock`` of a file beside the database, held by the one thread of the process
    that holds the lock, so one descriptor per process suffices. Waiters wake the
    moment the writer before them leaves. SQLite's busy timeout stays as the backstop
    for writers that do not queue (a deferred transaction that starts writing).
    """

    def __init__(self, database: str, timeout: float = BUSY_TIMEOUT):
        self.lock_file = f"{database}-writelock"
        self.timeout = timeout
        self._threads = threading.Lock()
        self._fd: int | None = None

    def acquire(self) -> None:
        """Wait for our turn; "database is locked" after ``timeout`` seconds behind this process's writers."""
        if not self._threads.acquire(timeout=self.timeout):
            raise sqlite3.OperationalError("database is locked")
        try:
            if self._fd is None:
                self._fd = os.open(self.lock_file, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        except BaseException:
            self._threads.release()
            raise

    def release(self) -> None:
        assert self._fd is not None, "released without acquire"
        try:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._threads.release()


# One queue per database file and process: every engine on a file (the app's, a CLI
# command's, a test's) must share it, or two of them in one thread could wait on each other.
_queues: dict[tuple[int, str], WriterQueue] = {}
_queues_lock = threading.Lock()


def writer_queue(database: str) -> WriterQueue:
    """This process's queue of writers to the SQLite file ``database``."""
    key = (os.getpid(), os.path.realpath(database))  # a forked process gets its own
    with _queues_lock:
        queue = _queues.get(key)
        if queue is None:
            queue = _queues[key] = WriterQueue(key[1])
        return queue


_QUEUED = "annotate.writer_queue"
# Per connection, for begin_write: did the transaction begin as a writer's, has it written.
_WRITER, _WROTE = "annotate.writer", "annotate.wrote"


def _leave_queue(info: dict, dbapi_conn: Any, end: str) -> None:
    """If this connection holds its writer queue: end its transaction first (``end`` is
    "commit" or "rollback"), so that the next writer never finds SQLite locked, then leave."""
    queue = info.pop(_QUEUED, None)
    if queue is None:
        return
    if end == "commit":
        try:
            dbapi_conn.commit()
        except BaseException:
            info[_QUEUED] = queue  # still in its transaction: the rollback that follows leaves
            raise
    else:
        with contextlib.suppress(sqlite3.Error):  # a broken connection: closing it ends the transaction
            dbapi_conn.rollback()
    queue.release()


def _file_database(engine: Engine) -> str | None:
    """The SQLite file of ``engine``, or None for an in-memory database (one connection: nothing to queue)."""
    database = engine.url.database
    if (
        not database
        or database == ":memory:"
        or database.startswith("file:")
        or engine.url.query.get("mode") == "memory"
    ):
        return None
    return database


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
            f"busy_timeout={BUSY_TIMEOUT * 1000}",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    database = _file_database(engine)
    queue = writer_queue(database) if database else None

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        write = conn.get_execution_options().get(WRITE_OPTION)
        conn.connection.info.update({_WRITER: bool(write), _WROTE: False})
        if write:
            _begin_immediate(conn, queue)
        else:
            conn.exec_driver_sql("BEGIN")

    @event.listens_for(engine, "before_cursor_execute")
    def _on_execute(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.lstrip()[:6].upper().startswith(("SELECT", "PRAGMA", "BEGIN")):
            conn.connection.info[_WROTE] = True

    if queue is None:
        return

    # These fire before SQLAlchemy ends the transaction: the handlers end it on the DBAPI
    # connection themselves, then leave the queue (SQLAlchemy's own commit or rollback
    # then finds no transaction open and does nothing).
    @event.listens_for(engine, "commit")
    def _on_commit(conn: Any) -> None:
        if not conn.invalidated:  # an invalidated connection left the queue then
            _leave_queue(conn.connection.info, conn.connection.dbapi_connection, "commit")

    @event.listens_for(engine, "rollback")
    def _on_rollback(conn: Any) -> None:
        if not conn.invalidated:
            _leave_queue(conn.connection.info, conn.connection.dbapi_connection, "rollback")

    # A connection the pool gets back mid-transaction is rolled back by its reset; an
    # invalidated or closed one ends its transaction by closing. Every path leaves the queue.
    @event.listens_for(engine, "reset")
    def _on_reset(dbapi_conn: Any, record: Any, _state: Any) -> None:
        _leave_queue(record.info, dbapi_conn, "rollback")

    @event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_conn: Any, record: Any) -> None:
        _leave_queue(record.info, dbapi_conn, "rollback")

    @event.listens_for(engine, "invalidate")
    def _on_invalidate(dbapi_conn: Any, record: Any, _exc: Any) -> None:
        _leave_queue(record.info, dbapi_conn, "rollback")

    @event.listens_for(engine, "close")
    def _on_close(dbapi_conn: Any, record: Any) -> None:
        _leave_queue(record.info, dbapi_conn, "rollback")


def _begin_immediate(conn: Any, queue: WriterQueue | None) -> None:
    """``BEGIN IMMEDIATE`` on ``conn`` (a SQLAlchemy connection), after the writers queued before it."""
    if queue is None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        return
    queue.acquire()
    info = conn.connection.info
    info[_QUEUED] = queue
    try:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        info.pop(_QUEUED, None)
        queue.release()
        raise


def begin_write(session: Session) -> None:
    """Make the session's transaction a writer's. Never commits.

    On SQLite this takes the database write lock up front (``BEGIN
    IMMEDIATE``, after the writers queued before it), so concurrent writers
    wait instead of failing; on PostgreSQL it is a no-op and row locks do the
    work. Call it before the first write of a unit of work; the unit of work's
    owner (``annotate.unit_of_work`` for a request, the command or job
    otherwise) commits or rolls back.

    A SQLite transaction that has only read so far (a request's sign-in and
    access checks, a service's checks before its writes) becomes a writer's in
    place: on its connection, its read snapshot is let go (``ROLLBACK`` of a
    transaction that wrote nothing loses nothing) and ``BEGIN IMMEDIATE``
    follows, while the session's own transaction goes on. Nothing is committed
    and nothing the session loaded is expired or lost, and the lock is held only
    from here to the end of the unit of work. A transaction that has written,
    or that is already a writer's, is left as it is.
    """
    if not session.in_transaction():
        session.connection(execution_options={WRITE_OPTION: True})
    elif _only_read(session):
        conn = session.connection()
        dbapi = conn.connection.dbapi_connection
        assert dbapi is not None  # a connection in a transaction is checked out
        dbapi.rollback()  # the snapshot only: SQLAlchemy's transaction goes on
        database = _file_database(conn.engine)
        _begin_immediate(conn, writer_queue(database) if database else None)
        conn.connection.info.update({_WRITER: True, _WROTE: False})


def _only_read(session: Session) -> bool:
    if session.get_bind().dialect.name != "sqlite" or session.in_nested_transaction():
        return False
    if session.new or session.dirty or session.deleted:
        return False
    info = session.connection().connection.info
    return not info.get(_WRITER, True) and not info.get(_WROTE, True)


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
