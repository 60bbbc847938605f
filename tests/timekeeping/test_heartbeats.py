"""Heartbeats become intervals by the server's clock: extended within the idle gap, closed after
it, never reaching back more than one heartbeat period, never overlapping across tabs; and only
on work that is the person's own."""

from __future__ import annotations

import itertools
from datetime import timedelta

from sqlalchemy import select
from timekeeping.clock import SETTINGS, T0, post_beat

from annotate.assign.services import claim_next, skip_assignment
from annotate.models import Activity, ActivityInterval


def intervals(session, user):
    rows = session.scalars(
        select(ActivityInterval).where(ActivityInterval.user_id == user.id).order_by(ActivityInterval.started_at)
    ).all()
    session.rollback()
    return rows


def test_an_interval_grows_within_the_idle_gap_and_a_longer_silence_is_not_counted(session, project, expert, beat):
    task = claim_next(session, project, expert)
    session.commit()
    for seconds in (0, 15, 30, 59 + 30):  # the last pause (59 s) is shorter than the gap: it counts
        beat(expert, Activity.TASK, task.id, T0 + timedelta(seconds=seconds), project_id=project.id)
    quiet = T0 + timedelta(seconds=89 + 61)  # 61 s of silence: longer than the gap
    opened = beat(expert, Activity.TASK, task.id, quiet, project_id=project.id)
    beat(expert, Activity.TASK, task.id, quiet + timedelta(seconds=10), project_id=project.id)

    assert opened.opened
    rows = intervals(session, expert)
    assert [(r.started_at - T0, r.ended_at - T0, r.ms) for r in rows] == [
        (timedelta(0), timedelta(seconds=89), 89_000),
        (timedelta(seconds=150), timedelta(seconds=160), 10_000),
    ]
    assert opened.seconds == 89


def test_two_tabs_share_one_timeline_and_never_count_a_second_twice(session, project, expert, beat):
    """A task in one tab, the project's instructions in another, both active: the person's intervals
    follow one another, and together they are the wall-clock time, not twice it."""
    task = claim_next(session, project, expert)
    session.commit()
    for seconds, (activity, target) in zip(
        (0, 5, 15, 20, 30, 35, 45), [(Activity.TASK, task.id), (Activity.INSTRUCTIONS, project.id)] * 4, strict=False
    ):
        beat(expert, activity, target, T0 + timedelta(seconds=seconds), project_id=project.id, since_ms=14_000)
    rows = intervals(session, expert)
    assert sum(r.ms for r in rows) == 45_000 + 14_000  # from the first action (14 s before the first beat) to the last
    for earlier, later in itertools.pairwise(rows):
        assert later.started_at >= earlier.ended_at
    assert {r.activity for r in rows} == {Activity.TASK, Activity.INSTRUCTIONS}


def test_a_heartbeat_cannot_claim_more_than_the_wall_clock_allows(session, project, expert, beat):
    task = claim_next(session, project, expert)
    session.commit()
    beat(expert, Activity.TASK, task.id, T0, project_id=project.id, since_ms=10 * 3600 * 1000)  # "10 hours ago"
    for _ in range(20):  # a burst at one instant adds nothing
        beat(expert, Activity.TASK, task.id, T0, project_id=project.id, since_ms=10 * 3600 * 1000)
    beat(expert, Activity.TASK, task.id, T0 - timedelta(minutes=5), project_id=project.id)  # a clock behind
    [row] = intervals(session, expert)
    assert row.ms == SETTINGS.heartbeat * 1000  # reaches back one heartbeat period at most
    assert row.ended_at == T0


def test_the_page_heartbeat_counts_only_the_persons_own_work(session, project, expert, make_user, as_expert):
    task = claim_next(session, project, expert)
    other = make_user("expert", email="other@example.org")
    from annotate.models import ProjectRole
    from annotate.projects.services import add_member

    add_member(session, project, other, ProjectRole.EXPERT)
    theirs = claim_next(session, project, other)
    session.commit()

    first = post_beat(as_expert, {"activity": "task", "target": task.id})
    assert first.status_code == 200, first.text
    assert first.json["opened"] is True
    again = post_beat(as_expert, {"activity": "task", "target": task.id, "since_ms": 99_999_999})
    assert again.json == {"counted": True, "opened": False, "seconds": 0}

    assert post_beat(as_expert, {"activity": "task", "target": theirs.id}).status_code == 404
    assert post_beat(as_expert, {"activity": "review", "target": 1}).status_code == 404  # not a reviewer
    refused = post_beat(as_expert, {"activity": "tea", "target": "x"})
    assert refused.status_code == 422
    assert {p["path"] for p in refused.json["problems"]} == {"activity", "target"}

    skip_assignment(session, session.get(type(task), task.id), "Outside my expertise")
    session.commit()
    skipped = post_beat(as_expert, {"activity": "task", "target": task.id})
    assert skipped.status_code == 200  # the open interval goes on until the page stops...
    post_beat(as_expert, {"activity": "instructions", "target": project.id})
    back = post_beat(as_expert, {"activity": "task", "target": task.id})  # ...but it is not reopened
    assert back.status_code == 409
    assert "skipped" in back.json["error"]

    assert len(intervals(session, other)) == 0
    as_expert.client.post("/logout", data={"csrf_token": as_expert.token})
    signed_out = post_beat(as_expert, {"activity": "task", "target": task.id})
    assert signed_out.status_code in (302, 303, 400)  # to the sign-in page (or CSRF refused): nothing counted


def test_instructions_time_needs_membership(session, project, make_project, as_expert):
    elsewhere = make_project("elsewhere")
    assert post_beat(as_expert, {"activity": "instructions", "target": project.id}).status_code == 200
    assert post_beat(as_expert, {"activity": "instructions", "target": elsewhere.id}).status_code == 404
