"""Fixtures: a real database (SQLite by default, PostgreSQL with ANNOTATE_TEST_DATABASE_URL),
migrated once per run with Alembic and emptied after every test; the app, clients,
factories and a signed-in helper.

Isolation is by emptying the tables after each test rather than by rolling back
an outer transaction: the code under test commits for real, several threads and
a live server can share the database, and what a test sees is what production sees.
"""

from __future__ import annotations

import os
import secrets
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient, FlaskCliRunner
from helpers import PASSWORD, Browserless, scratch_database
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from annotate import create_app, db
from annotate.auth.services import add_user, create_token
from annotate.db import Base, make_engine
from annotate.models import ProjectRole, Role
from annotate.projects.services import add_member, create_project
from annotate.schema import upgrade

# Chromium for every folder's browser cases, one instance for the whole run (tests/chromium.py).
pytest_plugins = ["chromium"]

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    """A fresh, migrated database for this test run."""
    base = os.environ.get("ANNOTATE_TEST_DATABASE_URL")
    with scratch_database(
        f"annotate_test_{os.getpid()}", base, tmp_path_factory.mktemp("db") / "annotate-test.db"
    ) as url:
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url


def empty_database(url: str, attempts: int = 5) -> None:
    """Delete every row of every table (keeping Alembic's version table).

    A live server's request still in flight when its test ends (a browser's range request for
    a video, a heartbeat) may hold a lock the TRUNCATE needs while waiting for one the TRUNCATE
    took: PostgreSQL then ends one of them as a deadlock. The request's work is over either
    way, so the TRUNCATE is tried again once it has finished."""
    engine = make_engine(url)
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    try:
        for attempt in range(attempts):
            try:
                with engine.begin() as conn:
                    if engine.dialect.name == "postgresql":
                        conn.execute(
                            text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")
                        )
                    else:
                        for table in tables:
                            conn.execute(text(f'DELETE FROM "{table}"'))
                return
            except OperationalError:
                if attempt == attempts - 1:
                    raise
                time.sleep(0.5 * (attempt + 1))
    finally:
        engine.dispose()


@pytest.fixture
def app(database_url, tmp_path):
    app = create_app(
        {
            "ENV": "testing",
            # A fast hash: scrypt costs 0.1 s per sign-in and per user made, minutes over the suite.
            # tests/core/test_config.py checks that production refuses it.
            "PASSWORD_HASH": "pbkdf2:sha256:1000",
            "DATABASE_URL": database_url,
            "SECRET_KEY": secrets.token_urlsafe(32),
            "TESTING": True,
            # Jobs run in the request that queues them; tests/jobs runs a real worker process.
            "QUEUE_IMMEDIATE": True,
        }
    )
    app.instance_path = str(tmp_path / "instance")
    app.test_client_class = SyncingClient
    app.test_cli_runner_class = SyncingCliRunner
    yield app
    with app.app_context():
        db.engine().dispose()
    empty_database(database_url)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def session(app):
    """A session of the test's own, for arranging data and checking results.

    It is not the app's request session, and no app context stays pushed: each
    request in a test gets its own app context, as in production. Every request
    made through the test client first commits this session (so what the test
    arranged is visible and no write lock is held) and expires its objects (so
    what the test reads afterwards is what the app wrote).
    """
    test_session = Session(bind=app.extensions["annotate.db"][0], expire_on_commit=True)
    app.extensions["annotate.test_session"] = test_session
    yield test_session
    app.extensions.pop("annotate.test_session", None)
    test_session.close()


def _sync_test_session(app) -> None:
    test_session = app.extensions.get("annotate.test_session")
    if test_session is not None:
        test_session.commit()


class SyncingClient(FlaskClient):
    """A test client that commits the test's session before each request (see ``session``)."""

    def open(self, *args, **kwargs):
        _sync_test_session(self.application)
        return super().open(*args, **kwargs)


class SyncingCliRunner(FlaskCliRunner):
    """A CLI runner that commits the test's session before each command (see ``session``)."""

    def invoke(self, *args, **kwargs):
        _sync_test_session(self.app)
        return super().invoke(*args, **kwargs)


@pytest.fixture
def is_postgres(database_url) -> bool:
    return database_url.startswith("postgresql")


# -- factories ------------------------------------------------------------------------


@pytest.fixture
def make_user(session, app):
    counter = iter(range(1, 10_000))

    def make(role: Role | str = Role.EXPERT, email: str | None = None, password: str = PASSWORD, **kw):
        role = Role(role)
        email = email or f"{role.value}{next(counter)}@example.org"
        with app.app_context():  # the app's ANNOTATE_PASSWORD_HASH (fast in tests)
            user = add_user(session, email, role=role, password=password, **kw)
        session.commit()
        return user

    return make


@pytest.fixture
def make_project(session, app):
    def make(slug: str = "proj", template: str = "pairwise", overlap: int = 1, members=(), **kw):
        project = create_project(
            session,
            slug,
            template_name=template,
            templates_dir=Path(app.config["TEMPLATES_DIR"]),
            overlap=overlap,
            **kw,
        )
        for user, role in members:
            add_member(session, project, user, ProjectRole(role))
        session.commit()
        return project

    return make


@pytest.fixture
def make_token(session):
    def make(user) -> str:
        _token, secret = create_token(session, user)
        session.commit()
        return secret

    return make


@pytest.fixture
def write_jsonl(tmp_path):
    """Write rows to a JSONL file and return its path."""
    import orjson

    def write(rows, name: str = "items.jsonl") -> Path:
        path = tmp_path / name
        path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
        return path

    return write


@pytest.fixture
def import_rows(session, write_jsonl):
    from annotate.ingest import import_file

    def do(project, rows, name: str = "items.jsonl"):
        summary = import_file(session, project, write_jsonl(rows, name))
        session.commit()
        return summary

    return do


# -- signing in -------------------------------------------------------------------------


@pytest.fixture
def web(client):
    return Browserless(client)


# -- a live server for threads and browsers ----------------------------------------------------


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
