"""Helpers shared by the tests (importable as ``helpers``; fixtures live in conftest.py)."""

from __future__ import annotations

import re
import secrets
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


def screenshot(page, name: str) -> Path:
    """Keep a screenshot as a test artefact."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page, email: str, password: str) -> None:
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.press("#password", "Enter")
    page.wait_for_url("**/")


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
