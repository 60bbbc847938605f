"""Routing: expertise tags, per-expert quota, the cap on open leases, batch priority."""

from __future__ import annotations

import pytest
from helpers import pair_rows
from sqlalchemy import select

from annotate.assign.routing import refusal, tag_matches
from annotate.assign.services import AssignmentError, claim_next, prioritize_batch, submit_judgment
from annotate.models import Assignment, Batch, Item

ANSWER = {"preferred": "r1"}


@pytest.mark.parametrize(
    ("required", "tag", "matches"),
    [
        ("medicine", "medicine", True),
        ("medicine", "medicine/dermatology", True),
        ("medicine/dermatology", "medicine", False),
        ("medicine", "medicinal", False),
        ("medicine", "law/medicine", False),
        ("Medicine", "medicine/oncology", True),
    ],
)
def test_tag_matching(required, tag, matches):
    assert tag_matches(required, tag) is matches


def test_only_experts_with_a_matching_tag_get_tasks(team, make_user, session, clock):
    project, (derm,) = team(n=2, k=1, expertise=["medicine/dermatology"], required_expertise=["medicine"])
    lawyer = make_user("expert", expertise=["law"])
    untagged = make_user("expert")
    from annotate.models import ProjectRole
    from annotate.projects.services import add_member

    add_member(session, project, lawyer, ProjectRole.EXPERT)
    add_member(session, project, untagged, ProjectRole.EXPERT)
    session.commit()

    assert refusal(session, project, derm, clock.now) is None
    assert claim_next(session, project, derm, clock.now) is not None
    assert claim_next(session, project, lawyer, clock.now) is None
    assert claim_next(session, project, untagged, clock.now) is None
    message = refusal(session, project, lawyer, clock.now)
    assert message
    assert "medicine" in message
    session.commit()
    assert session.scalar(select(Assignment.expert_id)) == derm.id


def test_quota_counts_submitted_work_and_open_leases(team, session, clock):
    project, (expert, _other) = team(n=5, k=2, quota_per_expert=2)
    first = claim_next(session, project, expert, clock.now)
    submit_judgment(session, first, project, ANSWER, now=clock.now)
    second = claim_next(session, project, expert, clock.now)
    assert second is not None
    assert second.id != first.id
    # A fresh claim while holding the second lease would pass the quota (1 submitted + 1 open).
    assert claim_next(session, project, expert, clock.now, fresh=True) is None
    submit_judgment(session, second, project, ANSWER, now=clock.now)
    assert claim_next(session, project, expert, clock.now) is None
    assert "quota of 2" in refusal(session, project, expert, clock.now)
    session.commit()


def test_cap_on_open_leases(team, session, clock):
    project, (expert, _other) = team(n=5, k=2, max_active_leases=2)
    a = claim_next(session, project, expert, clock.now)
    # By default a claim returns the open lease again (a retried POST, a second tab).
    assert claim_next(session, project, expert, clock.now).id == a.id
    b = claim_next(session, project, expert, clock.now, fresh=True)
    assert b is not None
    assert b.item_id != a.item_id
    assert claim_next(session, project, expert, clock.now, fresh=True) is None
    assert "limit" in refusal(session, project, expert, clock.now)
    session.commit()


def test_a_prioritised_batch_goes_first(team, import_rows, session, clock):
    project, (expert, _other) = team(n=3, k=2)
    import_rows(project, pair_rows(2, prefix="urgent"), name="urgent.jsonl")
    urgent = session.scalar(select(Batch).where(Batch.project_id == project.id).order_by(Batch.id.desc()))
    assert prioritize_batch(session, project, urgent.id, 10) == 2
    session.commit()
    assignment = claim_next(session, project, expert, clock.now)
    assert session.get(Item, assignment.item_id).external_id.startswith("urgent-")


def test_prioritising_another_projects_batch_is_refused(team, session):
    project, _ = team(slug="one")
    other, _ = team(slug="two")
    batch = session.scalar(select(Batch).where(Batch.project_id == other.id))
    with pytest.raises(AssignmentError) as info:
        prioritize_batch(session, project, batch.id, 5)
    assert info.value.status == 404
    assert f"no batch {batch.id}" in str(info.value)
    assert set(session.scalars(select(Item.priority).where(Item.project_id == other.id))) == {0}
