"""The progress counters (annotate.projects.counters) stay equal to a recount of the rows
they summarise through a mixed workload run by the real services: imports (with
duplicates), claims, submits, edits, skips, expiries, late submits (taken and refused),
adjudication (claimed, given back, resolved), reviews, a batch pushed first, and
overlap changes. Also through the API (claim, submit, skip) and the import API."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from helpers import pair_rows
from sqlalchemy import func, select

from annotate.assign.adjudication import claim_adjudication
from annotate.assign.services import (
    LeaseLost,
    claim_next,
    prioritize_batch,
    release_expired,
    skip_assignment,
    submit_judgment,
)
from annotate.db import utcnow
from annotate.models import (
    Assignment,
    AssignmentStatus,
    Batch,
    Item,
    Judgment,
    ProjectMember,
    ReviewVerdict,
)
from annotate.projects import counters
from annotate.projects.queries import judgments_per_day, progress_counts
from annotate.projects.settings import Settings, update_settings
from annotate.review.services import record_review


def counted(session, project) -> dict[str, int]:
    """The progress page's figures, counted the slow way from the rows themselves."""
    assigned = dict(session.execute(select(Item.id, Item.assigned_count).where(Item.project_id == project.id)).all())
    judged = Counter(
        session.scalars(
            select(Judgment.item_id).where(Judgment.project_id == project.id, Judgment.adjudication.is_(False))
        )
    )
    statuses = Counter(session.scalars(select(Assignment.status).where(Assignment.project_id == project.id)))
    complete = sum(1 for item_id in assigned if judged[item_id] >= project.overlap)
    started = sum(1 for n in assigned.values() if n > 0)
    return {
        "items": len(assigned),
        "complete": complete,
        "in_progress": started - complete,
        "not_started": len(assigned) - started,
        "judgments": session.scalar(
            select(func.count()).select_from(Judgment).where(Judgment.project_id == project.id)
        ),
        "active_leases": statuses[AssignmentStatus.LEASED],
        "skips": statuses[AssignmentStatus.SKIPPED],
    }


def check(session, project) -> dict[str, int]:
    """Counters == recount, every item's judged_count is right, and the progress page's counts are exact."""
    session.commit()  # a fresh snapshot
    assert counters.totals(session, project.id, days=True) == counters.recount(session, project.id)
    judged = Counter(
        session.scalars(
            select(Judgment.item_id).where(Judgment.project_id == project.id, Judgment.adjudication.is_(False))
        )
    )
    for item_id, judged_count in session.execute(
        select(Item.id, Item.judged_count).where(Item.project_id == project.id)
    ):
        assert judged_count == judged[item_id], item_id
    shown = progress_counts(session, project)
    assert shown == counted(session, project)
    made = Counter(
        when.date() for when in session.scalars(select(Judgment.created_at).where(Judgment.project_id == project.id))
    )
    today = max(made, default=utcnow().date())
    window = [today - timedelta(days=back) for back in (2, 1, 0)]
    assert judgments_per_day(session, project, days=3, today=today) == [(d, made[d]) for d in window]
    return shown


@pytest.fixture
def world(make_user, make_project, import_rows, session):
    experts = [make_user("expert", name=name) for name in ("Ann", "Bob", "Cat", "Dan")]
    reviewer, adjudicator = make_user("expert", name="Rita"), make_user("expert", name="Ada")
    project = make_project(
        "mixed", overlap=2, members=[*((e, "expert") for e in experts), (reviewer, "reviewer"), (adjudicator, "expert")]
    )
    project.adjudication_threshold = 100
    project.lease_seconds = 60
    session.scalar(
        select(ProjectMember).where(ProjectMember.project_id == project.id, ProjectMember.user_id == adjudicator.id)
    ).adjudicator = True
    session.commit()
    import_rows(project, pair_rows(6, prefix="a"))
    # A second import: two rows it repeats are duplicates, four are new.
    import_rows(project, pair_rows(6, prefix="a")[4:] + pair_rows(4, prefix="b"), name="second.jsonl")
    return project, experts, reviewer, adjudicator


def test_counters_equal_a_recount_through_a_mixed_workload(world, session):
    project, (ann, bob, cat, dan), rita, ada = world
    now = utcnow()
    assert check(session, project) == {
        "items": 10,
        "complete": 0,
        "in_progress": 0,
        "not_started": 10,
        "judgments": 0,
        "active_leases": 0,
        "skips": 0,
    }

    # Items already started go first, so Ann and Bob judge the same item and split: adjudication.
    first = claim_next(session, project, ann, now)
    submit_judgment(session, first, project, {"preferred": "r1"}, now=now)
    session.commit()
    check(session, project)
    second = claim_next(session, project, bob, now)
    assert second.item_id == first.item_id
    submit_judgment(session, second, project, {"preferred": "r2"}, now=now)
    session.commit()
    assert check(session, project)["complete"] == 1

    # The adjudicator gives it back, then takes it again and breaks the tie.
    tie = claim_adjudication(session, project, ada, now)
    session.commit()
    check(session, project)
    skip_assignment(session, tie, "Need a colleague's view", now)
    session.commit()
    check(session, project)
    tie = claim_adjudication(session, project, rita, now)
    submit_judgment(session, tie, project, {"preferred": "r2"}, now=now)
    session.commit()
    shown = check(session, project)
    assert (shown["complete"], shown["judgments"], shown["skips"]) == (1, 3, 1)

    # Cat skips one, Dan lets one expire; a late submit on a free slot is taken.
    skipped = claim_next(session, project, cat, now)
    skip_assignment(session, skipped, "Outside my expertise", now)
    lapsed = claim_next(session, project, dan, now)
    session.commit()
    check(session, project)
    later = now + timedelta(seconds=61)
    assert release_expired(session, project, later) == 1
    session.commit()
    check(session, project)
    submit_judgment(session, lapsed, project, {"preferred": "tie"}, now=later)
    session.commit()
    check(session, project)

    # Another lapse, but this time someone takes the slot first: the late submit is refused.
    lost = claim_next(session, project, ann, later)
    session.commit()
    even_later = later + timedelta(seconds=61)
    taker = claim_next(session, project, bob, even_later)  # reaps Ann's lease and takes the item
    session.commit()
    assert taker.item_id == lost.item_id
    with pytest.raises(LeaseLost):
        submit_judgment(session, lost, project, {"preferred": "r1"}, now=even_later)
    session.rollback()
    submit_judgment(session, taker, project, {"preferred": "r1"}, now=even_later)
    session.commit()
    check(session, project)

    # An edit, a rejection and a revision, an acceptance: no counter moves.
    before = check(session, project)
    submit_judgment(session, taker, project, {"preferred": "r2"}, now=even_later)
    session.commit()
    judgment = session.scalar(select(Judgment).where(Judgment.assignment_id == taker.id))
    record_review(session, judgment, project, rita, ReviewVerdict.REJECT, comment="Look again", now=even_later)
    session.commit()
    submit_judgment(session, taker, project, {"preferred": "tie"}, now=even_later)
    record_review(session, judgment, project, rita, ReviewVerdict.ACCEPT, now=even_later)
    session.commit()
    assert check(session, project) == before

    # A batch pushed first, and more work on it.
    batch = session.scalars(select(Batch.id).where(Batch.project_id == project.id).order_by(Batch.id.desc())).first()
    prioritize_batch(session, project, batch, 5)
    session.commit()
    for expert in (ann, bob, dan):
        lease = claim_next(session, project, expert, even_later)
        submit_judgment(session, lease, project, {"preferred": "r1"}, now=even_later)
        session.commit()
    claim_next(session, project, bob, even_later)  # an open lease at the end
    session.commit()
    shown = check(session, project)
    assert shown["active_leases"] == 1
    assert shown["complete"] >= 2

    # The overlap changes: "complete" follows at once, with nothing recounted.
    for overlap in (1, 3, 2):
        update_settings(session, project, Settings(**{**vars(Settings.of(project)), "overlap": overlap}))
        session.commit()
        assert check(session, project)["complete"] == sum(
            1
            for n in Counter(session.scalars(select(Judgment.item_id).where(Judgment.adjudication.is_(False)))).values()
            if n >= overlap
        )


def test_counters_through_the_api(world, session, client, make_token, write_jsonl):
    project, (ann, bob, *_rest), _rita, _ada = world
    researcher_token = None
    tokens = {e.id: make_token(e) for e in (ann, bob)}

    def api(token, path, **body):
        return client.post(f"/api/v1{path}", json=body or None, headers={"Authorization": f"Bearer {token}"})

    lease = api(tokens[ann.id], "/projects/mixed/assignments").get_json()
    assert (
        api(
            tokens[ann.id], f"/assignments/{lease['assignment']['id']}/judgment", answers={"preferred": "r1"}
        ).status_code
        == 201
    )
    other = api(tokens[bob.id], "/projects/mixed/assignments").get_json()
    assert (
        api(tokens[bob.id], f"/assignments/{other['assignment']['id']}/skip", reason="Broken prompt").status_code == 200
    )
    api(tokens[bob.id], "/projects/mixed/assignments")
    shown = check(session, project)
    assert (shown["judgments"], shown["skips"], shown["active_leases"]) == (1, 1, 1)

    from annotate.models import Role

    boss = session.scalar(select(ProjectMember).where(ProjectMember.project_id == project.id)).user
    boss.role = Role.ADMIN
    session.commit()
    researcher_token = make_token(boss)
    response = client.post(
        "/api/v1/projects/mixed/items",
        json=pair_rows(3, prefix="c") + pair_rows(1, prefix="a"),
        headers={"Authorization": f"Bearer {researcher_token}"},
    )
    assert response.status_code in (200, 201), response.text
    assert check(session, project)["items"] == 13


def test_rebuild_repairs_counters_after_rows_written_behind_the_apps_back(world, session):
    project, (ann, *_rest), _rita, _ada = world
    lease = claim_next(session, project, ann)
    submit_judgment(session, lease, project, {"preferred": "r1"})
    session.commit()
    # Somebody adds an item by hand and garbles an item's judgment count: the counters no longer match.
    batch = session.scalar(select(Batch).where(Batch.project_id == project.id))
    session.add(
        Item(
            project_id=project.id,
            batch_id=batch.id,
            external_id="by-hand",
            content_hash="0" * 64,
            prompt=[],
            responses=[],
        )
    )
    session.get(Item, lease.item_id).judged_count = 7
    session.commit()
    assert counters.totals(session, project.id) == {"items": 10, "judgments": 1, "judged_1": 1}
    assert counters.recount(session, project.id)["items"] == 11
    counters.rebuild(session, project.id)
    session.commit()
    assert counters.totals(session, project.id) == {"items": 11, "judgments": 1, "judged_1": 1}
    assert check(session, project)["items"] == 11


def test_the_migration_backfills_the_counters(tmp_path):
    """0008 on a database with work in it: counters and judged_count come out as a recount says."""
    import os

    from helpers import scratch_database

    from annotate.db import make_engine

    with scratch_database("annotate_bf", os.environ.get("ANNOTATE_TEST_DATABASE_URL"), tmp_path / "backfill.db") as url:
        engine = make_engine(url)
        try:
            _backfill_checks(engine)
        finally:
            engine.dispose()


def _backfill_checks(engine) -> None:
    """Upgrade to 0007, write rows by hand, upgrade to head, compare the counters with a recount."""
    from sqlalchemy import text
    from sqlalchemy.orm import Session

    from annotate.schema import upgrade

    upgrade(engine, "0007")
    now, yesterday = utcnow(), utcnow() - timedelta(days=1)
    rows = {
        "users": [
            {
                "id": i,
                "email": f"u{i}@example.org",
                "name": "",
                "role": "expert",
                "expertise": "[]",
                "active": True,
                "created_at": now,
            }
            for i in (1, 2, 3)
        ],
        "projects": [
            {
                "id": p,
                "slug": f"p{p}",
                "title": "P",
                "template": '{"kind": "pairwise", "config": {}}',
                "template_name": "pairwise",
                "template_version": 1,
                "instructions_version": 1,
                "overlap": 2,
                "required_expertise": "[]",
                "lease_seconds": 1800,
                "max_active_leases": 1,
                "randomize_order": True,
                "archived": False,
                "created_at": now,
            }
            for p in (1, 2)
        ],
        "batches": [
            {
                "id": p,
                "project_id": p,
                "source": "s",
                "format": "jsonl",
                "shape": "",
                "mapping": "{}",
                "status": "complete",
                "rows_read": 0,
                "rows_new": 0,
                "rows_duplicate": 0,
                "rows_skipped": 0,
                "progress": 1.0,
                "skipped": "[]",
                "created_at": now,
            }
            for p in (1, 2)
        ],
        "items": [
            {
                "id": i,
                "project_id": 1 + i % 2,
                "batch_id": 1 + i % 2,
                "external_id": f"i{i}",
                "content_hash": "0",
                "prompt": "[]",
                "responses": "[]",
                "metadata": "{}",
                "priority": 0,
                "assigned_count": 0,
                "created_at": now,
            }
            for i in range(1, 9)
        ],
    }
    # (item, expert, status, adjudication, when): item 2 complete and tie-broken, item 4 half done,
    # item 6 skipped, item 8 leased; item 3 (project 2) done once.
    work = [
        (2, 1, "submitted", False, yesterday),
        (2, 2, "submitted", False, now),
        (2, 3, "submitted", True, now),
        (4, 1, "submitted", False, now),
        (6, 2, "skipped", False, None),
        (8, 3, "leased", False, None),
        (3, 1, "submitted", False, now),
    ]
    rows["assignments"] = [
        {
            "id": n,
            "project_id": 1 + item % 2,
            "item_id": item,
            "expert_id": expert,
            "status": status,
            "leased_at": now,
            "expires_at": now,
            "display_order": "[]",
            "active_seconds": 0,
            "purpose": "adjudicate" if adj else "judge",
        }
        for n, (item, expert, status, adj, _when) in enumerate(work, 1)
    ]
    rows["judgments"] = [
        {
            "assignment_id": n,
            "project_id": 1 + item % 2,
            "item_id": item,
            "expert_id": expert,
            "answers": "{}",
            "template_name": "pairwise",
            "template_version": 1,
            "instructions_version": 1,
            "active_seconds": 0,
            "created_at": when,
            "updated_at": when,
            "adjudication": adj,
        }
        for n, (item, expert, status, adj, when) in enumerate(work, 1)
        if status == "submitted"
    ]
    with engine.begin() as conn:
        for table, values in rows.items():
            columns = list(values[0])
            conn.execute(
                text(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)})"),
                values,
            )
    upgrade(engine)
    with Session(engine) as session:
        assert counters.totals(session, 1) == {"items": 4, "judgments": 4, "skips": 1, "judged_1": 1, "judged_2": 1}
        assert counters.totals(session, 2) == {"items": 4, "judgments": 1, "judged_1": 1}
        for project_id in (1, 2):
            assert counters.totals(session, project_id, days=True) == counters.recount(session, project_id)
        assert dict(session.execute(select(Item.id, Item.judged_count).where(Item.judged_count > 0)).all()) == {
            2: 2,
            4: 1,
            3: 1,
        }
        assert counters.per_day(session, 1, [yesterday.date(), now.date()]) == (
            {yesterday.date(): 1, now.date(): 3} if yesterday.date() != now.date() else {now.date(): 4}
        )


def test_recount_command(world, session, runner):
    project, (ann, *_rest), _rita, _ada = world
    submit_judgment(session, claim_next(session, project, ann), project, {"preferred": "r1"})
    session.commit()
    out = runner.invoke(args=["projects", "recount", "mixed"])
    assert out.exit_code == 0
    assert out.output.strip() == "recounted mixed: 10 items, 1 judgments; they were right"
    batch = session.scalar(select(Batch).where(Batch.project_id == project.id))
    session.add(
        Item(
            project_id=project.id,
            batch_id=batch.id,
            external_id="by-hand",
            content_hash="0" * 64,
            prompt=[],
            responses=[],
        )
    )
    session.commit()
    out = runner.invoke(args=["projects", "recount", "mixed"])
    assert out.exit_code == 0
    assert out.output.strip() == "recounted mixed: 11 items, 1 judgments; corrected items"
    assert counters.totals(session, project.id)["items"] == 11
