"""Helpers shared by the tests (importable as ``helpers``; fixtures live in conftest.py)."""

from __future__ import annotations

import ast
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"
FIXTURES = Path(__file__).parent / "fixtures"
PASSWORD = "correct horse battery staple"
ARTIFACTS = REPO / "test-artifacts"


def pg_url_with_schema(url: str, schema: str) -> str:
    parsed = make_url(url)
    return parsed.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)


@contextmanager
def scratch_database(prefix: str, base: str | None, sqlite_file: Path | str | None = None) -> Iterator[str]:
    """The URL of an empty database for one test or benchmark run: a new schema on the
    PostgreSQL server at ``base`` (dropped afterwards, with everything in it), or, without
    ``base``, the SQLite file ``sqlite_file``. Dispose of engines on it before leaving."""
    if not base:
        yield f"sqlite:///{sqlite_file}"
        return
    from annotate.db import make_engine

    schema = f"{prefix}_{secrets.token_hex(4)}"
    admin = make_engine(base)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            yield pg_url_with_schema(base, schema)
        finally:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        admin.dispose()


def unreachable(url: str) -> str | None:
    """Why the database at ``url`` cannot be used (for a benchmark that goes on without it), or None."""
    from annotate.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect():
            return None
    except Exception as exc:
        return f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"
    finally:
        engine.dispose()


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on just now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """gunicorn serving ``wsgi:app`` as ``annotate serve`` runs it (gthread workers), in a process
    group of its own so that a test can SIGKILL master and workers at once, and start it again on
    the same port. Its output goes to ``log``."""

    def __init__(self, url: str, log: Path, *, workers: int = 4, threads: int = 4, env: dict | None = None):
        self.url, self.log_path, self.workers, self.threads = url, Path(log), workers, threads
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "ANNOTATE_DATABASE_URL": url,
            "ANNOTATE_SECRET_KEY": secrets.token_urlsafe(32),
            "ANNOTATE_ENV": "production",
            **(env or {}),
        }
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> str:
        """Start it and wait until it answers; returns its base URL."""
        with self.log_path.open("ab") as log:
            command = [sys.executable, "-m", "gunicorn", "wsgi:app", "-b", f"127.0.0.1:{self.port}"]
            command += ["-w", str(self.workers), "-k", "gthread", "--threads", str(self.threads), "--keep-alive", "10"]
            self.process = subprocess.Popen(
                command,
                cwd=REPO,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(f"{self.base}/login", timeout=2).read()
                return self.base
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.kill()
                    raise RuntimeError("gunicorn did not start: " + self.log_text()[-3000:]) from None
                time.sleep(0.2)

    def worker_pids(self) -> list[int]:
        """The pids of the master's children (its workers), from /proc."""
        if self.process is None:
            return []
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(p) for p in children.read_text().split()]
        except OSError:
            return []

    def kill(self) -> None:
        """SIGKILL master and workers at once: no graceful shutdown, no response finished."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        """Stop gracefully (SIGTERM), killing it if it does not stop within 20 s."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def pair_rows(n: int, prefix: str = "item") -> list[dict]:
    """``n`` canonical pairwise items."""
    return [
        {
            "id": f"{prefix}-{i}",
            "prompt": [{"role": "user", "content": f"Question {i}?"}],
            "responses": [
                {"id": "r1", "content": f"Answer one to {i}", "model": "m-a"},
                {"id": "r2", "content": f"Answer two to {i}", "model": "m-b"},
            ],
            "metadata": {"n": i},
        }
        for i in range(n)
    ]


CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1)


class Browserless:
    """A signed-in test client that keeps the CSRF token of the pages it reads."""

    def __init__(self, client):
        self.client = client
        self.token: str | None = None

    def login(self, email: str, password: str = PASSWORD):
        page = self.client.get("/login")
        response = self.client.post(
            "/login", data={"email": email, "password": password, "csrf_token": csrf_from(page.text)}
        )
        assert response.status_code == 303, response.text
        self.token = csrf_from(self.client.get("/").text)
        return response

    def get(self, url: str, **kw):
        return self.client.get(url, **kw)

    def post(self, url: str, data: dict | None = None, **kw):
        data = dict(data or {})
        data.setdefault("csrf_token", self.token)
        return self.client.post(url, data=data, **kw)


# -- browser tests ----------------------------------------------------------------------


def screenshot(page, name: str, *, docs: str | None = None, full_page: bool = True) -> Path:
    """Keep a screenshot as a test artefact; with ``docs``, also the README's ``docs/<docs>``
    when ANNOTATE_UPDATE_SCREENSHOTS=1 (``make screenshots``), so a test run never dirties the checkout."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    if docs and os.environ.get("ANNOTATE_UPDATE_SCREENSHOTS") == "1":
        shutil.copy(path, REPO / "docs" / docs)
    return path


def sign_in(page, email: str, password: str) -> None:
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.press("#password", "Enter")
    page.wait_for_url("**/")


# -- the package's own source ----------------------------------------------------------

ROUTE_DECORATORS = {"get", "post", "put", "patch", "delete", "route"}


def route_modules() -> list:
    """Every module of the package that declares a route (``@bp.get(...)`` and the like)."""
    found = []
    for path in sorted((REPO / "annotate").rglob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and any(
                isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) and d.func.attr in ROUTE_DECORATORS
                for d in node.decorator_list
            ):
                found.append((path, tree))
                break
    return found


# -- HTTP against a live server (threads, gunicorn) --------------------------------------


def api_call(base: str, token: str, path: str, body: dict | None = None, *, method: str = "POST", timeout=60):
    """One API request with a bearer token: (status, decoded JSON or None). A connection error
    (reset, refused, timeout) is status 0 with its repr, so callers count it like any failure."""
    import json
    import urllib.error

    data = json.dumps(body).encode() if body is not None else (b"" if method == "POST" else None)
    request = urllib.request.Request(
        base + path,
        data=data,
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        try:
            return exc.code, json.loads(raw)
        except ValueError:
            return exc.code, {"error": raw.decode(errors="replace")}
    except OSError as exc:
        return 0, {"error": repr(exc)}


def annotate_cli(database_url: str, *args: str) -> subprocess.Popen:
    """The ``annotate`` command in a process of its own (one a test can SIGKILL), on ``database_url``."""
    env = {
        **os.environ,
        "ANNOTATE_DATABASE_URL": database_url,
        "ANNOTATE_ENV": "testing",
        "ANNOTATE_SECRET_KEY": "x" * 40,
    }
    return subprocess.Popen(
        [sys.executable, "-c", "from annotate.cli import main; main()", *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def finish(proc: subprocess.Popen, timeout: float = 300) -> tuple[int, str]:
    """Wait for a command; its exit code and everything it printed."""
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, (out + err).decode(errors="replace")


class WebSession:
    """A browser's cookie session against a live server, over urllib: signs in, keeps the CSRF
    token, posts forms. Redirects are not followed (the caller sees the 303). Safe to use from
    one thread at a time; two WebSessions of one user are two tabs (or two browsers)."""

    def __init__(self, base: str):
        import http.cookiejar
        import urllib.error

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())
        self._errors = urllib.error
        self.token: str | None = None

    def request(self, path: str, data: dict | None = None, headers: dict | None = None, timeout=60):
        """(status, body text); a connection error is status 0."""
        from urllib.parse import urlencode

        body = None
        if data is not None:
            data = dict(data)
            data.setdefault("csrf_token", self.token)
            body = urlencode(data, doseq=True).encode()
        request = urllib.request.Request(self.base + path, data=body, headers=headers or {})
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return response.status, response.read().decode(errors="replace")
        except self._errors.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace")
        except OSError as exc:
            return 0, repr(exc)

    def login(self, email: str, password: str = PASSWORD) -> None:
        _status, page = self.request("/login")
        self.token = csrf_from(page)
        status, text = self.request("/login", {"email": email, "password": password})
        assert status == 303, (status, text[:500])
        self.token = csrf_from(self.request("/")[1])


def item_row(i: int, prompt: str, a: str, b: str, models=("m-a", "m-b"), **extra) -> dict:
    """A canonical pairwise item ``it-<i>`` with this prompt, these two responses and models."""
    return {
        "id": f"it-{i}",
        "prompt": [{"role": "user", "content": prompt}],
        "responses": [
            {"id": "r1", "content": a, "model": models[0]},
            {"id": "r2", "content": b, "model": models[1]},
        ],
        **extra,
    }


# -- time spent (annotate.timekeeping) ---------------------------------------------------------


def spend(session, assignment, seconds: float, *, until=None) -> None:
    """Arrange that the assignment's expert worked ``seconds`` on it, ending ``until`` (now): one
    interval, their clock's latest, as heartbeats would have left it. A submit right after counts it."""
    from datetime import timedelta

    from sqlalchemy import select

    from annotate.db import utcnow
    from annotate.models import Activity, ActivityClock, ActivityInterval, AssignmentPurpose

    until = until or utcnow()
    activity = Activity.ADJUDICATION if assignment.purpose is AssignmentPurpose.ADJUDICATE else Activity.TASK
    interval = ActivityInterval(
        user_id=assignment.expert_id,
        project_id=assignment.project_id,
        activity=activity,
        assignment_id=assignment.id,
        started_at=until - timedelta(seconds=seconds),
        ended_at=until,
        ms=int(seconds * 1000),
    )
    session.add(interval)
    session.flush()
    clock = session.scalar(select(ActivityClock).where(ActivityClock.user_id == assignment.expert_id))
    if clock is None:
        session.add(ActivityClock(user_id=assignment.expert_id, interval_id=interval.id))
    else:
        clock.interval_id = interval.id
    session.flush()


def converter_processes(parent: int | None = None) -> list[int]:
    """Pids of the running import converter processes (``python -m annotate.ingest.convert``)
    whose parent is ``parent`` (this process by default; 0: any parent). Zombies are not running."""
    parent = os.getpid() if parent is None else parent
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            stat = (entry / "stat").read_text()
        except OSError:  # it ended while we looked
            continue
        if b"annotate.ingest.convert" not in cmdline:
            continue
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        if state != "Z" and (parent == 0 or int(ppid) == parent):
            found.append(int(entry.name))
    return found
