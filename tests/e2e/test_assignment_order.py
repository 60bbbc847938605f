"""The engine's default order: items already started are finished before new ones are opened,
so complete items accumulate early; expired leases return their items to the pool."""

from __future__ import annotations

from datetime import timedelta

from helpers import pair_rows
from sqlalchemy import select

from annotate.assign.services import claim_next, release_expired, submit_judgment
from annotate.db import utcnow
from annotate.models import Assignment, AssignmentStatus, Item


def test_started_items_are_finished_first(session, make_user, make_project, import_rows):
    experts = [make_user("expert") for _ in range(3)]
    project = make_project("order", overlap=3, members=[(e, "expert") for e in experts])
    import_rows(project, pair_rows(5))
    claimed = []
    for expert in experts:
        assignment = claim_next(session, project, expert)
        submit_judgment(session, assignment, project, {"preferred": "r1"})
        claimed.append(assignment.item_id)
    session.commit()
    # All three experts were sent to the same item until it had its three judgments.
    assert len(set(claimed)) == 1
    first_item = session.get(Item, claimed[0])
    assert first_item.assigned_count == 3


def test_expired_leases_return_items_to_the_pool(session, make_user, make_project, import_rows):
    a, b = make_user("expert"), make_user("expert")
    project = make_project("expiry", overlap=1, lease_seconds=60, members=[(a, "expert"), (b, "expert")])
    import_rows(project, pair_rows(1))
    lease = claim_next(session, project, a)
    session.commit()
    assert claim_next(session, project, b) is None  # the only slot is leased
    later = utcnow() + timedelta(seconds=61)
    assert release_expired(session, project, later) == 1
    session.commit()
    taken = claim_next(session, project, b, now=later)
    session.commit()
    assert taken is not None
    assert taken.item_id == lease.item_id
    statuses = dict(session.execute(select(Assignment.expert_id, Assignment.status)).all())
    assert statuses == {a.id: AssignmentStatus.EXPIRED, b.id: AssignmentStatus.LEASED}
