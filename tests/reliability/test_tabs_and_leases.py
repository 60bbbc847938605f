"""One expert in two tabs (two signed-in sessions) claiming and submitting at the same time,
and a lease that expires before its late submit: on the live threaded server, through the
pages and the API. Every request gets a page or a clear refusal; the database holds one
assignment per (item, expert) and one judgment per assignment."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

from helpers import WebSession, api_call
from sqlalchemy import func, select, update

from annotate.db import utcnow
from annotate.models import Assignment, AssignmentStatus, Draft, Item, Judgment


def together(*calls):
    """Run the callables at the same moment, in threads; their results in order."""
    results = [None] * len(calls)
    start = threading.Barrier(len(calls))

    def run(i):
        start.wait()
        results[i] = calls[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def test_two_tabs_claiming_at_once_get_the_same_task(live_server, crew, session):
    team = crew(n_items=5, n_experts=1)
    tabs = [WebSession(live_server), WebSession(live_server)]
    for tab in tabs:
        tab.login(team.experts[0].email)

    results = together(*(lambda tab=tab: tab.request("/p/rel/next", {}) for tab in tabs))

    assert [status for status, _ in results] == [303, 303], results
    session.rollback()
    leases = session.scalars(select(Assignment)).all()
    assert len(leases) == 1, "a second tab must not hold a second item"
    assert leases[0].status is AssignmentStatus.LEASED


def test_two_tabs_submitting_different_answers_at_once_keep_one_judgment_and_its_history(live_server, crew, session):
    team = crew(n_items=5, n_experts=1)
    tabs = [WebSession(live_server), WebSession(live_server)]
    for tab in tabs:
        tab.login(team.experts[0].email)
    tabs[0].request("/p/rel/next", {})
    session.rollback()
    lease = session.scalar(select(Assignment))
    path = f"/tasks/{lease.id}/judgment"

    results = together(
        lambda: tabs[0].request(path, {"preferred": "r1", "rationale": "tab one"}),
        lambda: tabs[1].request(path, {"preferred": "r2", "rationale": "tab two"}),
    )

    assert all(status in (200, 303) for status, _ in results), [(s, t[:300]) for s, t in results]
    session.rollback()
    judgments = session.scalars(select(Judgment).where(Judgment.assignment_id == lease.id)).all()
    assert len(judgments) == 1
    # The later of the two is the answer; the earlier is kept as a revision, not lost.
    kept = {judgments[0].answers["preferred"]} | {r.answers["preferred"] for r in judgments[0].revisions}
    assert kept == {"r1", "r2"}
    assert session.scalar(select(func.count()).select_from(Judgment)) == 1, "no tab judged another item"
    # Both tabs went on to the next task, and it is the same one for both: one open lease.
    leased = select(func.count()).select_from(Assignment).where(Assignment.status == AssignmentStatus.LEASED)
    assert session.scalar(leased) == 1


def expire(session, assignment_id: int) -> None:
    """Move a lease's expiry into the past (what half an hour away from the keyboard does)."""
    session.execute(
        update(Assignment)
        .where(Assignment.id == assignment_id)
        .values(expires_at=utcnow() - timedelta(seconds=1), leased_at=utcnow() - timedelta(minutes=31))
    )
    session.commit()


def test_a_late_api_submit_is_taken_while_the_slot_is_free(live_server, crew, session):
    team = crew(n_items=1, n_experts=2)
    _status, claim = api_call(live_server, team.tokens[0], "/api/v1/projects/rel/assignments")
    expire(session, claim["assignment"]["id"])
    status, body = api_call(
        live_server,
        team.tokens[0],
        f"/api/v1/assignments/{claim['assignment']['id']}/judgment",
        {"answers": {"preferred": "tie"}},
    )
    assert status == 201, body
    session.rollback()
    assert session.scalar(select(Item.assigned_count)) == 1
    # Nothing is left for the second expert.
    assert api_call(live_server, team.tokens[1], "/api/v1/projects/rel/assignments")[0] == 204


def test_a_late_api_submit_after_someone_else_took_the_item_is_a_clear_409(live_server, crew, session):
    team = crew(n_items=1, n_experts=2)
    _status, mine = api_call(live_server, team.tokens[0], "/api/v1/projects/rel/assignments")
    expire(session, mine["assignment"]["id"])
    status, theirs = api_call(live_server, team.tokens[1], "/api/v1/projects/rel/assignments")
    assert status == 201
    assert theirs["item"]["id"] == mine["item"]["id"]

    status, body = api_call(
        live_server,
        team.tokens[0],
        f"/api/v1/assignments/{mine['assignment']['id']}/judgment",
        {"answers": {"preferred": "tie"}},
    )
    assert status == 409, body
    assert "another expert has taken it" in body["error"]
    status, body = api_call(
        live_server,
        team.tokens[1],
        f"/api/v1/assignments/{theirs['assignment']['id']}/judgment",
        {"answers": {"preferred": "r1"}},
    )
    assert status == 201, body
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Judgment)) == 1
    assert session.scalar(select(Item.assigned_count)) == 1


def test_a_late_form_submit_after_someone_else_took_the_item_says_so_and_keeps_the_draft(live_server, crew, session):
    team = crew(n_items=1, n_experts=2)
    tab = WebSession(live_server)
    tab.login(team.experts[0].email)
    tab.request("/p/rel/next", {})
    session.rollback()
    mine = session.scalar(select(Assignment))
    expire(session, mine.id)
    assert api_call(live_server, team.tokens[1], "/api/v1/projects/rel/assignments")[0] == 201

    status, page = tab.request(f"/tasks/{mine.id}/judgment", {"preferred": "r2", "rationale": "my careful reasoning"})

    assert status == 409, page[:500]
    assert re.search(r"another expert has taken it", page)
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Judgment)) == 0
    draft = session.scalar(select(Draft).where(Draft.assignment_id == mine.id))
    assert draft is not None, "what the expert wrote is kept"
    assert "my careful reasoning" in str(draft.fields)
