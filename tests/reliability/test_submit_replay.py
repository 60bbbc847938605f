"""A submit sent twice: by a double click (the same request within milliseconds, in parallel)
and by a client that gave up waiting and sends it again. One judgment row, the same answer,
and every copy gets a clear answer (201 once, then 200 with the same judgment), never a 5xx."""

from __future__ import annotations

import json
import socket
import threading
import time
from urllib.parse import urlsplit

from helpers import WebSession, api_call
from sqlalchemy import select

from annotate.models import Assignment, AssignmentStatus, Judgment

COPIES = 8


def fire_at_once(calls) -> list:
    """Run the callables in threads released together; their results in order."""
    results: list = [None] * len(calls)
    start = threading.Barrier(len(calls))

    def run(i, call):
        start.wait()
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def test_the_same_api_submit_eight_times_at_once_stores_one_judgment(live_server, crew, count_judgments, session):
    team = crew(n_items=2, n_experts=1)
    token = team.tokens[0]
    status, claim = api_call(live_server, token, "/api/v1/projects/rel/assignments")
    assert status == 201
    lease = claim["assignment"]["id"]
    answers = {"answers": {"preferred": claim["item"]["responses"][1]["id"]}}
    path = f"/api/v1/assignments/{lease}/judgment"

    results = fire_at_once([lambda: api_call(live_server, token, path, answers) for _ in range(COPIES)])

    statuses = sorted(status for status, _body in results)
    assert statuses == [200] * (COPIES - 1) + [201], results
    ids = {body["judgment"]["id"] for _status, body in results}
    assert len(ids) == 1
    assert {json.dumps(body["judgment"]["answers"]) for _s, body in results} == {json.dumps(answers["answers"])}
    assert count_judgments() == 1
    judgment = session.scalar(select(Judgment))
    assert judgment.id in ids
    assert judgment.answers == answers["answers"]
    assert session.get(Assignment, lease).status is AssignmentStatus.SUBMITTED


def test_a_double_clicked_form_stores_one_judgment_and_both_clicks_get_a_page(
    live_server, crew, count_judgments, session
):
    team = crew(n_items=3, n_experts=1)
    tab = WebSession(live_server)
    tab.login(team.experts[0].email)
    status, _page = tab.request("/p/rel/next", {})
    assert status == 303  # to the task page
    session.rollback()
    assignment = session.scalar(select(Assignment).where(Assignment.status == AssignmentStatus.LEASED))
    path = f"/tasks/{assignment.id}/judgment"

    results = fire_at_once([lambda: tab.request(path, {"preferred": "r1", "rationale": "same"}) for _ in range(2)])

    # Each click is answered with the next task (303 to it, as after any submit): the
    # second one finds its answers already stored and takes nothing more.
    assert [status for status, _text in results] == [303, 303], [r[1][:500] for r in results]
    assert count_judgments(assignment_id=assignment.id) == 1
    assert count_judgments() == 1, "the second click did not judge the next task"
    judgment = session.scalar(select(Judgment).where(Judgment.assignment_id == assignment.id))
    assert judgment.answers["preferred"] == "r1"
    assert not judgment.revisions, "the same answers again are not an edit"


def send_and_hang_up(base: str, token: str, path: str, body: dict) -> None:
    """Send a request and close the connection without reading the answer: a client whose timeout fired."""
    host = urlsplit(base)
    payload = json.dumps(body).encode()
    with socket.create_connection((host.hostname, host.port)) as sock:
        sock.sendall(
            (
                f"POST {path} HTTP/1.1\r\nHost: {host.netloc}\r\nAuthorization: Bearer {token}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\nConnection: close\r\n\r\n"
            ).encode()
            + payload
        )


def test_a_replay_after_the_client_timed_out_gets_the_same_judgment(live_server, crew, count_judgments, session):
    team = crew(n_items=2, n_experts=1)
    token = team.tokens[0]
    _status, claim = api_call(live_server, token, "/api/v1/projects/rel/assignments")
    lease = claim["assignment"]["id"]
    answers = {"answers": {"preferred": "tie"}, "active_seconds": 40}
    path = f"/api/v1/assignments/{lease}/judgment"

    send_and_hang_up(live_server, token, path, answers)
    deadline = time.monotonic() + 30
    while count_judgments() == 0:
        assert time.monotonic() < deadline, "the abandoned submit was never stored"
        time.sleep(0.02)
    first = session.scalar(select(Judgment))

    status, body = api_call(live_server, token, path, answers)
    assert status == 200, body
    assert body["judgment"]["id"] == first.id
    assert body["judgment"]["answers"] == {"preferred": "tie"}
    assert body["judgment"]["created_at"] == first.created_at.isoformat()
    assert count_judgments() == 1

    # A replay with other answers is an edit of the same row (history kept), not a second row.
    status, body = api_call(live_server, token, path, {"answers": {"preferred": "r2"}})
    assert status == 200, body
    assert body["judgment"]["id"] == first.id
    assert count_judgments() == 1
