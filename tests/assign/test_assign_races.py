"""Races through the real app: 50 experts claim, re-claim (a second tab) and submit at once,
against the threaded test server and against gunicorn with 4 worker processes, on whichever
database the run uses (SQLite or PostgreSQL).

Checked afterwards in the database: no item beyond its overlap, no expert twice on an item,
every accepted submission stored (none lost), the progress counters equal to a recount, and
no error at all (so no "database is locked").
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections import Counter

import pytest
from helpers import Gunicorn, pair_rows
from sqlalchemy import func, select

from annotate.models import Assignment, AssignmentStatus, Item, Judgment
from annotate.projects import counters

EXPERTS = 50


def call(url: str, token: str, body: dict | None = None) -> tuple[int, dict | None]:
    data = json.dumps(body).encode() if body is not None else b""
    request = urllib.request.Request(
        url, data=data, method="POST", headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as exc:
        return exc.code, {"error": exc.read().decode(errors="replace")}
    except OSError as exc:  # connection reset, timeout: an error like any other
        return 0, {"error": repr(exc)}


def race(base: str, slug: str, tokens: list[str]) -> tuple[list[str], list[int]]:
    """Every expert claims, claims again, submits, until told 204. Returns (errors, judgment ids accepted)."""
    errors: list[str] = []
    accepted: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(len(tokens))

    def expert(token: str) -> None:
        start.wait()
        while True:
            status, body = call(f"{base}/api/v1/projects/{slug}/assignments", token)
            if status == 204:
                return
            if status != 201:
                with lock:
                    errors.append(f"claim {status}: {body}")
                return
            lease = body["assignment"]["id"]
            # A second tab or a retried POST gets the same lease, never a second item.
            again_status, again = call(f"{base}/api/v1/projects/{slug}/assignments", token)
            if again_status != 201 or again["assignment"]["id"] != lease:
                with lock:
                    errors.append(f"second claim: {again_status} {again}")
            answers = {"answers": {"preferred": body["item"]["responses"][0]["id"]}}
            status, result = call(f"{base}/api/v1/assignments/{lease}/judgment", token, answers)
            with lock:
                if status == 201:
                    accepted.append(result["judgment"]["id"])
                else:
                    errors.append(f"submit {status}: {result}")
                    return

    threads = [threading.Thread(target=expert, args=(t,)) for t in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert not any(t.is_alive() for t in threads), "an expert thread hung"
    return errors, accepted


def check(session, project, n_items: int, overlap: int, errors: list[str], accepted: list[int]) -> None:
    assert errors == [], errors[:5]
    # End the test session's read transaction: on SQLite (WAL) it would still see the
    # snapshot taken before the race.
    session.commit()
    per_item = Counter(session.scalars(select(Judgment.item_id).where(Judgment.project_id == project.id)))
    assert len(per_item) == n_items, "every item is judged"
    assert set(per_item.values()) == {overlap}, "every item has exactly its overlap"
    pairs = session.execute(
        select(Assignment.item_id, Assignment.expert_id).where(Assignment.project_id == project.id)
    ).all()
    assert len(pairs) == len(set(pairs)), "no expert twice on an item"
    stored = set(session.scalars(select(Judgment.id).where(Judgment.project_id == project.id)))
    assert len(accepted) == len(set(accepted)) == len(stored), "no lost or phantom submission"
    assert set(accepted) == stored, "no lost or phantom submission"
    assert set(session.scalars(select(Item.assigned_count).where(Item.project_id == project.id))) == {overlap}
    leased = session.scalar(
        select(func.count()).select_from(Assignment).where(Assignment.status == AssignmentStatus.LEASED)
    )
    assert leased == 0
    # Concurrent submits kept the progress counters exact.
    assert counters.totals(session, project.id, days=True) == counters.recount(session, project.id)
    assert counters.totals(session, project.id) == {
        "items": n_items,
        "judgments": n_items * overlap,
        counters.judged(overlap): n_items,
    }


@pytest.fixture
def crowd(make_user, make_project, make_token, import_rows, session):
    def build(slug: str, overlap: int, n_items: int):
        experts = [make_user("expert") for _ in range(EXPERTS)]
        project = make_project(slug, overlap=overlap, members=[(e, "expert") for e in experts])
        import_rows(project, pair_rows(n_items, prefix=slug))
        tokens = [make_token(e) for e in experts]
        session.commit()
        return project, tokens

    return build


@pytest.mark.parametrize("overlap", [1, 3])
def test_fifty_experts_against_the_threaded_server(overlap, live_server, crowd, session):
    n_items = 40
    project, tokens = crowd(f"thread-race-{overlap}", overlap, n_items)
    errors, accepted = race(live_server, project.slug, tokens)
    check(session, project, n_items, overlap, errors, accepted)


@pytest.fixture
def gunicorn(database_url, app, tmp_path):
    """gunicorn, 4 worker processes, serving the test database; yields its base URL."""
    server = Gunicorn(database_url, tmp_path / "gunicorn.log", workers=4, threads=8)
    yield server.start()
    server.stop()
    assert "database is locked" not in server.log_text()


@pytest.mark.parametrize("overlap", [1, 3])
def test_fifty_experts_against_gunicorn_with_four_workers(overlap, gunicorn, crowd, session):
    n_items = 40
    project, tokens = crowd(f"gunicorn-race-{overlap}", overlap, n_items)
    errors, accepted = race(gunicorn, project.slug, tokens)
    check(session, project, n_items, overlap, errors, accepted)
