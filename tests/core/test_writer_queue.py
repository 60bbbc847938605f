"""SQLite writers queue for the write lock (annotate.db.WriterQueue) and leave the queue on
every path: commit, rollback, a connection returned mid-transaction, an invalidated
connection, a failed BEGIN. Across threads and across processes."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import threading
import time

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from annotate.db import WRITE_OPTION, begin_write, make_engine, writer_queue


@pytest.fixture
def engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'w.db'}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE n (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)")
        conn.exec_driver_sql("INSERT INTO n VALUES (1, 0)")
    yield engine
    engine.dispose()


def free(engine) -> bool:
    """True when no writer holds the database's queue: neither a thread of ours nor any process."""
    queue = writer_queue(engine.url.database)
    if queue._threads.locked():
        return False
    fd = os.open(queue.lock_file, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


def writing(engine) -> Session:
    session = Session(engine)
    begin_write(session)
    session.execute(text("UPDATE n SET v = v + 1"))
    return session


def test_every_way_out_of_a_write_leaves_the_queue(engine):
    assert free(engine)
    session = writing(engine)
    assert not free(engine)
    session.commit()
    assert free(engine)

    session = writing(engine)
    session.rollback()
    assert free(engine)

    session = writing(engine)
    session.close()  # returned to the pool mid-transaction: the pool's reset rolls back
    assert free(engine)

    conn = engine.connect().execution_options(**{WRITE_OPTION: True})
    conn.begin()
    assert not free(engine)
    conn.invalidate()
    assert free(engine)
    conn.close()

    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT v FROM n").scalar() == 1  # only the committed write


def test_a_failed_begin_leaves_the_queue(engine, tmp_path):
    # Another process holds SQLite's write lock without queueing (a deferred transaction that wrote).
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (
                "import sqlite3, sys, time\n"
                f"c = sqlite3.connect({str(tmp_path / 'w.db')!r}, isolation_level=None)\n"
                "c.execute('BEGIN'); c.execute('UPDATE n SET v = v + 100')\n"
                "print('locked', flush=True); time.sleep(5)\n"
            ),
        ],
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout.readline().strip() == b"locked"
        conn = engine.connect().execution_options(**{WRITE_OPTION: True})
        conn.connection.dbapi_connection.execute("PRAGMA busy_timeout = 100")  # not 30 s
        with pytest.raises(Exception, match="locked"):
            conn.begin()
        assert free(engine)
        conn.close()
    finally:
        holder.kill()
        holder.wait()


def test_threads_queue_and_none_fails(engine):
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(20):
                session = writing(engine)
                session.commit()
                session.close()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT v FROM n").scalar() == 160
    assert free(engine)


def test_another_process_waits_its_turn(engine):
    # While we hold the queue, a writer in another process waits in the queue, not in
    # SQLite's busy handler (it allows itself 10 ms there), and gets in once we commit.
    script = (
        "from sqlalchemy import event, text\n"
        "from sqlalchemy.orm import Session\n"
        "from annotate.db import begin_write, make_engine\n"
        f"engine = make_engine({str(engine.url)!r})\n"
        "event.listen(engine, 'connect', lambda c, _r: c.execute('PRAGMA busy_timeout = 10'))\n"
        "s = Session(engine)\n"
        "print('ready', flush=True)\n"
        "begin_write(s)\n"
        "s.execute(text('UPDATE n SET v = v * 10')); s.commit()\n"
    )
    session = writing(engine)  # v = 1, not committed yet
    other = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, env={**os.environ, "PYTHONPATH": os.getcwd()}
    )
    assert other.stdout.readline().strip() == b"ready"
    time.sleep(0.5)
    assert other.poll() is None  # waiting for us
    session.commit()
    other.communicate(timeout=60)
    assert other.returncode == 0
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT v FROM n").scalar() == 10  # our +1 first, then its x10
    assert free(engine)


def test_in_memory_databases_have_no_queue():
    engine = make_engine("sqlite://")
    session = Session(engine)
    begin_write(session)
    session.execute(text("SELECT 1"))
    session.commit()
    engine.dispose()


def test_a_read_only_transaction_becomes_a_writers_in_place_without_a_commit(engine):
    """begin_write after reads: the lock is taken, but nothing is committed behind the caller's back
    (the session's transaction goes on; what it read stays), and the write then commits or rolls back
    with the rest of the unit of work."""
    from sqlalchemy import event

    session = Session(engine)
    commits = []
    event.listen(session, "after_commit", lambda s: commits.append(s))
    assert session.execute(text("SELECT v FROM n")).scalar() == 0
    transaction = session.get_transaction()
    begin_write(session)
    assert not free(engine)  # a writer now
    assert session.get_transaction() is transaction
    assert commits == []
    session.execute(text("UPDATE n SET v = 5"))
    session.rollback()  # the owner decides: this unit of work is undone, lock released
    assert free(engine)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT v FROM n").scalar() == 0
    session.execute(text("SELECT v FROM n"))
    begin_write(session)
    session.execute(text("UPDATE n SET v = 7"))
    session.commit()
    assert len(commits) == 1
    assert free(engine)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT v FROM n").scalar() == 7
    session.close()
