"""gunicorn SIGKILLed (master and workers at once) the moment the database shows what a request
wrote, before the client has its answer; the client retries against the server started again.
One row, and the retry gets the answer the lost response would have carried.

The kill comes from outside, as the kernel's OOM killer or a host failure would: the test
watches the database from its own connection and kills as soon as the row is committed
(no hook in the app). The client never reads the first response, whether or not the worker
had begun to write it, so from its side the answer is lost either way."""

from __future__ import annotations

import json
import socket
import time
from urllib.parse import urlsplit

from helpers import api_call
from sqlalchemy import func, select

from annotate.models import Assignment, AssignmentStatus, Item, Judgment
from annotate.projects import counters


def send(base: str, token: str, path: str, body: dict | None) -> socket.socket:
    """Send a request and return the socket, unread."""
    host = urlsplit(base)
    payload = json.dumps(body).encode() if body is not None else b""
    sock = socket.create_connection((host.hostname, host.port))
    sock.sendall(
        (
            f"POST {path} HTTP/1.1\r\nHost: {host.netloc}\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\nConnection: close\r\n\r\n"
        ).encode()
        + payload
    )
    return sock


def kill_when(server, session, stmt, timeout: float = 30) -> None:
    """Poll ``stmt`` (a count) on the test's connection; SIGKILL gunicorn the moment it is non-zero."""
    deadline = time.monotonic() + timeout
    while True:
        session.rollback()
        if session.scalar(stmt):
            server.kill()
            return
        assert time.monotonic() < deadline, "the request never committed"
        time.sleep(0.001)


def test_killed_after_the_submit_committed_then_the_retry_gets_the_same_judgment(
    gunicorn_server, crew, session, count_judgments
):
    team = crew(n_items=3, n_experts=1, slug="kill")
    token = team.tokens[0]
    server = gunicorn_server()
    base = server.start()
    status, claim = api_call(base, token, "/api/v1/projects/kill/assignments")
    assert status == 201, claim
    lease = claim["assignment"]["id"]
    path = f"/api/v1/assignments/{lease}/judgment"
    answers = {"answers": {"preferred": claim["item"]["responses"][0]["id"]}, "active_seconds": 12}

    sock = send(base, token, path, answers)
    kill_when(server, session, select(func.count()).select_from(Judgment).where(Judgment.assignment_id == lease))
    sock.close()  # whatever reached it is never read: the client saw a dead connection

    assert count_judgments() == 1
    stored = session.scalar(select(Judgment))
    server.start()  # the same port: the client retries the same URL
    status, body = api_call(base, token, path, answers)
    assert status == 200, body
    assert body["judgment"]["id"] == stored.id
    assert body["judgment"]["answers"] == answers["answers"]
    assert count_judgments() == 1
    session.rollback()
    assert session.get(Assignment, lease).status is AssignmentStatus.SUBMITTED
    assert session.get(Item, stored.item_id).assigned_count == 1
    assert counters.totals(session, team.project.id, days=True) == counters.recount(session, team.project.id)

    # Work goes on: the next claim is a new item, not the one judged.
    status, nxt = api_call(base, token, "/api/v1/projects/kill/assignments")
    assert status == 201, nxt
    assert nxt["item"]["id"] != claim["item"]["id"]


def test_killed_after_the_claim_committed_then_the_retry_gets_the_same_lease(gunicorn_server, crew, session):
    team = crew(n_items=3, n_experts=1, slug="killc")
    token = team.tokens[0]
    server = gunicorn_server()
    base = server.start()

    sock = send(base, token, "/api/v1/projects/killc/assignments", None)
    kill_when(server, session, select(func.count()).select_from(Assignment))
    sock.close()

    session.rollback()
    lease = session.scalar(select(Assignment))
    assert lease.status is AssignmentStatus.LEASED
    server.start()
    status, body = api_call(base, token, "/api/v1/projects/killc/assignments")
    assert status == 201, body
    assert body["assignment"]["id"] == lease.id, "the retry is the same lease, not a second item held"
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Assignment)) == 1
    status, done = api_call(base, token, f"/api/v1/assignments/{lease.id}/judgment", {"answers": {"preferred": "tie"}})
    assert status == 201, done
