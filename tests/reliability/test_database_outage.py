"""The database goes away and comes back: while it is gone every page answers a clean 503
(an HTML page, or JSON for the API) with Retry-After, nothing is half-written; once it is back
the same server recovers by itself (no restart) and nothing committed before is lost.

Against a PostgreSQL server this test starts and stops itself (initdb + pg_ctl in a temporary
folder, on a free port), never the shared one. It runs on either test database."""

from __future__ import annotations

import contextlib
import glob
import os
import secrets
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest
from helpers import WebSession, api_call, free_port, pair_rows
from sqlalchemy import func, select
from werkzeug.serving import make_server

from annotate import create_app, db
from annotate.db import make_engine
from annotate.models import Judgment
from annotate.schema import upgrade


class OwnPostgres:
    """A throw-away PostgreSQL cluster: ``start()``, ``stop()``, ``url``."""

    def __init__(self, root: Path):
        binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not binaries:
            pytest.skip("no PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb) on this machine")
        self.bin = Path(binaries[-1]).parent
        self.data, self.port = root / "data", free_port()
        self.log = root / "postgres.log"
        self.user: list[str] = []
        if os.geteuid() == 0:  # postgres refuses to run as root: run it as the postgres user
            if shutil.which("runuser") is None:
                pytest.skip("running as root without runuser: cannot start a PostgreSQL server")
            try:
                import pwd

                pw = pwd.getpwnam("postgres")
            except KeyError:
                pytest.skip("running as root and there is no postgres user to start a PostgreSQL server as")
            os.chown(root, pw.pw_uid, pw.pw_gid)
            self.user = ["runuser", "-u", "postgres", "--"]
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str) -> None:
        result = subprocess.run([*self.user, str(self.bin / tool), *args], capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"{tool} failed: {result.stderr or result.stdout}")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.log), "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")


@pytest.fixture
def own_postgres():
    root = Path(tempfile.mkdtemp(prefix="annotate-pg-"))
    server = OwnPostgres(root)
    server.start()
    yield server
    with contextlib.suppress(RuntimeError):  # already stopped
        server.stop()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def outage_app(own_postgres, tmp_path):
    """The app on the throw-away server, migrated and seeded, served by a threaded server."""
    from annotate.auth.services import add_user, create_token
    from annotate.ingest import import_rows
    from annotate.models import ProjectRole, Role
    from annotate.projects.services import add_member, create_project

    engine = make_engine(own_postgres.url)
    upgrade(engine)
    engine.dispose()
    app = create_app(
        {"ENV": "testing", "DATABASE_URL": own_postgres.url, "SECRET_KEY": secrets.token_urlsafe(32), "TESTING": True}
    )
    app.instance_path = str(tmp_path / "instance")
    with app.app_context():
        session = db.session()
        templates = Path(app.config["TEMPLATES_DIR"])
        project = create_project(session, "down", template_name="pairwise", templates_dir=templates)
        expert = add_user(session, "down@example.org", role=Role.EXPERT, password="correct horse battery staple")
        add_member(session, project, expert, ProjectRole.EXPERT)
        token = create_token(session, expert)[1]
        session.commit()
        import_rows(session, project, pair_rows(5, prefix="d"), "rows")
        session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}", token
    server.shutdown()
    thread.join(timeout=5)
    with app.app_context():
        db.engine().dispose()


def judgments(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(Judgment)).scalar()
    finally:
        engine.dispose()


def submit_next(base: str, token: str) -> tuple[int, dict | None]:
    status, claim = api_call(base, token, "/api/v1/projects/down/assignments")
    if status != 201:
        return status, claim
    path = f"/api/v1/assignments/{claim['assignment']['id']}/judgment"
    return api_call(base, token, path, {"answers": {"preferred": "tie"}})


def test_a_vanished_database_gets_a_clean_503_then_the_server_recovers_by_itself(outage_app, own_postgres):
    _app, base, token = outage_app
    tab = WebSession(base)
    tab.login("down@example.org")
    assert submit_next(base, token)[0] == 201
    status, claim = api_call(base, token, "/api/v1/projects/down/assignments")  # leased before the outage
    assert status == 201

    own_postgres.stop()

    status, body = api_call(base, token, "/api/v1/projects/down/assignments")
    assert status == 503, body
    assert body["error"] == "Service Unavailable"
    assert "try again" in body["message"]
    status, body = api_call(
        base, token, f"/api/v1/assignments/{claim['assignment']['id']}/judgment", {"answers": {"preferred": "r1"}}
    )
    assert status == 503, body
    status, page = tab.request("/p/down")
    assert status == 503, page[:500]
    assert "<h1>503 Service Unavailable</h1>" in page
    assert "database cannot be reached" in page
    assert "Traceback" not in page
    status, page = tab.request(f"/tasks/{claim['assignment']['id']}/judgment", {"preferred": "r1"})
    assert status == 503, page[:500]

    own_postgres.start()

    # The same server process, not restarted: its pool replaces the dead connections.
    deadline = time.monotonic() + 30
    while True:
        status, body = api_call(
            base, token, f"/api/v1/assignments/{claim['assignment']['id']}/judgment", {"answers": {"preferred": "r1"}}
        )
        if status == 201:
            break
        assert status == 503, body
        assert time.monotonic() < deadline, "the server did not recover"
        time.sleep(0.5)
    assert tab.request("/p/down")[0] == 200, "the signed-in session still works"
    assert submit_next(base, token)[0] == 201
    assert judgments(own_postgres.url) == 3, "the judgment from before the outage is there, and nothing twice"


def sqlite_app(tmp_path, database: Path):
    return create_app(
        {"ENV": "testing", "DATABASE_URL": f"sqlite:///{database}", "SECRET_KEY": "x" * 40, "TESTING": True}
    )


def test_a_sqlite_file_that_cannot_be_opened_is_a_503_too(tmp_path):
    app = sqlite_app(tmp_path, tmp_path / "unmounted" / "annotate.db")  # its folder is gone
    client = app.test_client()
    api = client.post("/api/v1/projects/p/assignments", headers={"Authorization": "Bearer abc"})
    assert api.status_code == 503
    assert api.headers["Retry-After"] == "5"
    assert api.get_json()["error"] == "Service Unavailable"
    with client.session_transaction() as session:
        session["user_id"] = 1
    page = client.get("/")
    assert page.status_code == 503
    assert "database cannot be reached" in page.text


def test_a_schema_error_is_not_disguised_as_an_outage(tmp_path):
    from sqlalchemy.exc import OperationalError

    app = sqlite_app(tmp_path, tmp_path / "unmigrated.db")  # opens fine, has no tables: a bug, not a passing state
    with pytest.raises(OperationalError, match="no such table"):
        app.test_client().post("/api/v1/projects/p/assignments", headers={"Authorization": "Bearer abc"})
