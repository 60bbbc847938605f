"""The task page's figures (``expert_progress``: done, today, open, remaining for you) equal a
slow recount from the rows themselves, through a mixed workload that two experts run through
the pages: claims, submits, skips, leases that expire (released by the next claim, or not
yet), late submits (refused when the slot has gone), work in another project, at overlap
1 and 3, then new items, a third expert and overlap changes.

``expert_progress`` does not count the project's items (see its docstring): it adds up the
project's counters, the live leases and the expert's own assignments. The workload is built
so that every one of those terms matters at some step (``COVERED``), so a wrong formula fails.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, time, timedelta

import pytest
from helpers import Browserless, pair_rows
from sqlalchemy import event, select, update

from annotate.assign.adjudication import claim_adjudication
from annotate.assign.services import claim_next, submit_judgment
from annotate.db import utcnow
from annotate.models import Assignment, AssignmentPurpose, AssignmentStatus, Item, Judgment, ProjectMember, ProjectRole
from annotate.projects.services import add_member
from annotate.projects.settings import Settings, update_settings
from annotate.workbench.queries import expert_progress

HX = {"HX-Request": "true"}
TASK_FIGURES = re.compile(
    r"<strong>(\d+)</strong> done today</span> ·\s*<span><strong>(\d+)</strong> done in project</span> ·"
    r"\s*<span><strong>(\d+)</strong> remaining for you"
)
PROJECT_FIGURES = re.compile(r"(\d+) judged by you \((\d+) today\) · (\d+) remaining for you")
# The states the workload must reach, each one a term of expert_progress's formula.
COVERED = {
    "full by judgments",  # the counters' judged_<k> for k >= overlap
    "filled by a lease",  # judged < overlap <= assigned: only the leases know
    "filled by two leases",  # one item, several leases: counted once
    "expired lease not yet released",  # still LEASED, still holds its slot
    "had by the expert, open",  # subtracted from "remaining"
    "had by the expert, full",  # not subtracted twice
    "skipped by the expert, open",  # had, though the slot went back
    "judged by the expert before today",
}


def recount(session, project, expert, seen: set[str]) -> dict[str, int]:
    """What ``expert_progress`` must say, counted the slow way over every item, assignment and judgment.
    Adds to ``seen`` the states of ``COVERED`` that the project is in."""
    session.commit()  # a fresh snapshot
    now = utcnow()
    assigned = dict(session.execute(select(Item.id, Item.assigned_count).where(Item.project_id == project.id)).all())
    judged = Counter(
        session.scalars(
            select(Judgment.item_id).where(Judgment.project_id == project.id, Judgment.adjudication.is_(False))
        )
    )
    leases = session.execute(
        select(Assignment.item_id, Assignment.expires_at).where(
            Assignment.project_id == project.id,
            Assignment.status == AssignmentStatus.LEASED,
            Assignment.purpose == AssignmentPurpose.JUDGE,
        )
    ).all()
    leased = Counter(item_id for item_id, _expires in leases)
    # What expert_progress relies on: the slots in use are the judgments and the judging leases.
    assert assigned == {item_id: judged[item_id] + leased[item_id] for item_id in assigned}
    had = dict(
        session.execute(
            select(Assignment.item_id, Assignment.status).where(
                Assignment.project_id == project.id, Assignment.expert_id == expert.id
            )
        ).all()
    )
    open_items = {item_id for item_id, n in assigned.items() if n < project.overlap}
    made = list(
        session.scalars(
            select(Judgment.created_at).where(Judgment.project_id == project.id, Judgment.expert_id == expert.id)
        )
    )
    midnight = datetime.combine(now.date(), time(), tzinfo=UTC)

    overlap = project.overlap
    seen.update(
        state
        for state, present in {
            "full by judgments": any(judged[i] >= overlap for i in assigned),
            "filled by a lease": any(judged[i] < overlap <= assigned[i] for i in assigned),
            "filled by two leases": any(judged[i] < overlap <= assigned[i] and leased[i] > 1 for i in assigned),
            "expired lease not yet released": any(expires <= now for _item, expires in leases),
            "had by the expert, open": bool(open_items & had.keys()),
            "had by the expert, full": bool(had.keys() - open_items),
            "skipped by the expert, open": any(
                s is AssignmentStatus.SKIPPED and i in open_items for i, s in had.items()
            ),
            "judged by the expert before today": any(when < midnight for when in made),
        }.items()
        if present
    )
    return {
        "done": len(made),
        "today": sum(1 for when in made if when >= midnight),
        "open": len(open_items),
        "remaining": len(open_items - had.keys()),
    }


class Expert:
    """One expert working through the pages, with the task they have open (if any)."""

    def __init__(self, app, user, slug: str):
        self.user, self.slug = user, slug
        self.web = Browserless(app.test_client())
        self.web.login(user.email)
        self.task: int | None = None

    def _follow(self, response) -> int | None:
        assert response.status_code == 303, response.text
        location = response.headers["Location"]
        self.task = int(location.rsplit("/", 1)[1]) if "/tasks/" in location else None
        return self.task

    def claim(self) -> int | None:
        return self._follow(self.web.post(f"/p/{self.slug}/next"))

    def submit(self) -> int | None:
        """Submit the open task; the page moves on to the next one."""
        return self._follow(self.web.post(f"/tasks/{self.task}/judgment", {"preferred": "r1"}))

    def late_submit(self, assignment_id: int) -> str:
        """Submit a task whose lease has expired: "taken" (and on to the next task) or "refused"."""
        response = self.web.post(f"/tasks/{assignment_id}/judgment", {"preferred": "r1"})
        if response.status_code == 409:
            self.task = None
            return "refused"
        self._follow(response)
        return "taken"

    def skip(self) -> int | None:
        return self._follow(self.web.post(f"/tasks/{self.task}/skip", {"reason": "expertise"}))

    def shown(self) -> list[tuple[int, int, int]]:
        """(done, today, remaining) as the project page, and the task page and its fragment show them."""
        pages = [(PROJECT_FIGURES, self.web.get(f"/p/{self.slug}").text)]
        if self.task is not None:
            task = f"/tasks/{self.task}"
            pages += [(TASK_FIGURES, self.web.get(task).text), (TASK_FIGURES, self.web.get(task, headers=HX).text)]
        figures = []
        for pattern, html in pages:
            match = pattern.search(html)
            assert match, html
            numbers = tuple(int(n) for n in match.groups())
            figures.append(numbers if pattern is PROJECT_FIGURES else (numbers[1], numbers[0], numbers[2]))
        return figures


def check(session, project, experts: list[Expert], seen: set[str]) -> None:
    """For each expert: expert_progress == the recount, and every page shows it."""
    for expert in experts:
        expected = recount(session, project, expert.user, seen)
        assert expert_progress(session, project, expert.user) == expected, expert.user.name
        session.commit()
        assert set(expert.shown()) == {(expected["done"], expected["today"], expected["remaining"])}, expert.user.name


def expire(session, assignment_id: int) -> None:
    """Time passes: the lease is past its expiry (released by the next claim in the project)."""
    session.execute(
        update(Assignment).where(Assignment.id == assignment_id).values(expires_at=utcnow() - timedelta(seconds=1))
    )
    session.commit()


def set_overlap(session, project, overlap: int) -> None:
    update_settings(session, project, Settings(**{**vars(Settings.of(project)), "overlap": overlap}))
    session.commit()


@pytest.mark.parametrize("overlap", [1, 3])
def test_figures_equal_a_recount_through_a_mixed_workload(app, session, make_user, make_project, import_rows, overlap):
    ann_user, bob_user = make_user("expert", name="Ann"), make_user("expert", name="Bob")
    project = make_project(f"mixed{overlap}", overlap=overlap, members=[(ann_user, "expert"), (bob_user, "expert")])
    import_rows(project, pair_rows(7))
    ann, bob = Expert(app, ann_user, project.slug), Expert(app, bob_user, project.slug)
    everyone, seen = [ann, bob], set()
    check(session, project, everyone, seen)

    # Both also work in another project, whose items, leases and counters are not this one's.
    elsewhere = make_project(f"elsewhere{overlap}", overlap=2, members=[(ann_user, "expert"), (bob_user, "expert")])
    import_rows(elsewhere, pair_rows(3), name="elsewhere.jsonl")
    ann_elsewhere, bob_elsewhere = Expert(app, ann_user, elsewhere.slug), Expert(app, bob_user, elsewhere.slug)
    ann_elsewhere.claim()
    ann_elsewhere.submit()  # and leases the next
    bob_elsewhere.claim()
    check(session, project, everyone, seen)

    ann.claim()
    check(session, project, everyone, seen)
    bob.claim()  # at overlap 3, Ann's item (started items go first)
    check(session, project, everyone, seen)
    ann.submit()  # and on to her next task
    check(session, project, everyone, seen)
    bob.skip()
    check(session, project, everyone, seen)

    # A judgment of Ann's from yesterday: "today" is not "done".
    first = session.scalars(
        select(Judgment).where(Judgment.project_id == project.id, Judgment.expert_id == ann_user.id)
    ).first()
    first.created_at -= timedelta(days=1)
    session.commit()
    check(session, project, everyone, seen)

    # Ann's lease lapses: it holds its slot until a claim in the project releases it...
    lapsed = ann.task
    expire(session, lapsed)
    check(session, project, everyone, seen)
    bob.submit()  # ... as Bob's next one does (and it may take the item)
    check(session, project, everyone, seen)
    ann.late_submit(lapsed)  # taken if the slot is still free, else refused
    check(session, project, everyone, seen)

    # Bob's lease lapses; Ann's next claim releases it.
    expire(session, bob.task)
    if ann.task is None:  # her late submit was refused
        ann.claim()
    else:
        ann.submit()
    check(session, project, everyone, seen)
    bob.late_submit(bob.task)
    check(session, project, everyone, seen)
    # Both work until nothing is left for them.
    for expert in (bob, ann):
        while expert.claim() is not None:
            expert.submit()
            check(session, project, everyone, seen)
    check(session, project, everyone, seen)

    # New items and a third expert; then the overlap changes, with leases open (two of them on
    # one item): every figure follows at once.
    import_rows(project, pair_rows(3, prefix="more"), name="more.jsonl")
    set_overlap(session, project, 3)
    cat_user = make_user("expert", name="Cat")
    add_member(session, project, cat_user, ProjectRole.EXPERT)
    session.commit()
    cat = Expert(app, cat_user, project.slug)
    everyone.append(cat)
    for expert in (cat, ann, bob):  # started items go first: Bob joins Ann on a new one
        expert.claim()
        check(session, project, everyone, seen)
    for changed in (2, 1, 3):
        set_overlap(session, project, changed)
        check(session, project, everyone, seen)
    assert seen == COVERED


def test_figures_of_an_adjudicator_at_any_overlap(session, make_user, make_project, import_rows):
    """A tie-breaker's lease and judgment use no overlap slot; at overlap 1 its item is full all
    the same (it has two judgments that disagree), at a higher overlap it can be open again."""
    alice, bob, ada = (make_user("expert", name=name) for name in ("Alice", "Bob", "Ada"))
    project = make_project("adj", overlap=2, members=[(alice, "expert"), (bob, "expert"), (ada, "expert")])
    project.adjudication_threshold = 100
    session.scalar(
        select(ProjectMember).where(ProjectMember.project_id == project.id, ProjectMember.user_id == ada.id)
    ).adjudicator = True
    session.commit()
    import_rows(project, pair_rows(2))
    for expert, preferred in ((alice, "r1"), (bob, "r2")):  # both on the first item (started items go first)
        submit_judgment(session, claim_next(session, project, expert), project, {"preferred": preferred})
        session.commit()

    def check_all(*overlaps: int) -> None:
        for overlap in overlaps:
            set_overlap(session, project, overlap)
            for expert in (alice, bob, ada):
                assert expert_progress(session, project, expert) == recount(session, project, expert, set()), (
                    overlap,
                    expert.name,
                )

    lease = claim_adjudication(session, project, ada)
    session.commit()
    assert lease.purpose is AssignmentPurpose.ADJUDICATE
    check_all(1, 3, 2)
    submit_judgment(session, lease, project, {"preferred": "r1"})
    session.commit()
    check_all(1, 3, 2)
    assert expert_progress(session, project, ada)["remaining"] == 1  # the second item; overlap 2


def plans(session, project, expert) -> list[tuple[str, list[str]]]:
    """(statement, SQLite query plan steps) of each statement ``expert_progress`` sends."""
    engine = session.get_bind()
    statements = []

    def capture(_conn, _cursor, statement, parameters, _context, _many):
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        expert_progress(session, project, expert)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert statements
    return [
        (
            statement,
            [row[-1] for row in session.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)],
        )
        for statement, parameters in statements
    ]


def test_expert_progress_reads_items_only_by_id(app, session, make_user, make_project, import_rows, is_postgres):
    """No statement of expert_progress walks the project's items: it reads an item only by its id,
    for an assignment that names it (SQLite's query plan; PostgreSQL plans tiny tables as scans)."""
    if is_postgres:
        pytest.skip("query plans checked on SQLite")
    expert = make_user("expert")
    project = make_project("plan", overlap=2, members=[(expert, "expert")])
    import_rows(project, pair_rows(3))
    for statement, plan in plans(session, project, expert):
        for step in plan:
            if re.search(r"\bitems\b", step):
                assert "PRIMARY KEY" in step, (statement, plan)


@pytest.mark.parametrize("overlap", [1, 2])
def test_expert_progress_reads_the_experts_history_from_indexes(
    session, make_user, make_project, import_rows, is_postgres, overlap
):
    """Done and today are seeks bounded by the expert's own judgments (over the covering index, no
    judgment row read, when the planner takes it), and at overlap 1 the expert's assignments are
    read by state, the submitted ones not at all (SQLite's query plan).

    Which of the judgments' indexes that start a seek by expert SQLite picks may change with the
    statistics the database holds (sqlite_stat1, left by whatever ran before), so the test holds
    the plan to what matters, never a table scan and never a read beyond the expert's own rows,
    and names the index only where the plan does."""
    if is_postgres:
        pytest.skip("query plans checked on SQLite")
    expert = make_user("expert")
    project = make_project("plan", overlap=overlap, members=[(expert, "expert")])
    import_rows(project, pair_rows(3))
    steps = [step for _statement, plan in plans(session, project, expert) for step in plan]
    on_judgments = [step for step in steps if re.search(r"\bjudgments\b", step)]
    assert len(on_judgments) == 2, steps  # done, and today
    for step in on_judgments:
        assert step.startswith("SEARCH judgments USING "), step  # never a scan of the table
        assert re.search(r"\bexpert_id=\?", step), step  # a seek bounded by the expert's rows
        if "ix_judgments_expert_created" in step:
            assert "COVERING INDEX" in step, step  # counted in the index: no judgment row read
            assert "project_id=? AND expert_id=?" in step, step
    today = [step for step in on_judgments if "ix_judgments_expert_created" in step]
    if len(today) == 2:
        assert any("created_at>" in step for step in today), steps  # today: a range of the index
    on_assignments = [step for step in steps if re.search(r"\bassignments\b", step) and "expert_id=?" in step]
    (own,) = on_assignments
    assert own.startswith("SEARCH assignments USING "), own
    if "ix_assignments_expert_status" in own:
        assert ("status=?" in own) == (overlap == 1), own
