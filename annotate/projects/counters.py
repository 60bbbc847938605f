"""Per-project progress counters (``annotate.models.ProjectCounter``).

The progress page's big numbers (items, judgments, skips, and items per number of
judgments, from which "complete" follows for any overlap) would otherwise be counts
over up to millions of rows on every 5-second poll. Each is kept as a counter that
the writer updates in the same transaction as the change it counts:

* imports: ``items`` (``annotate.ingest.pipeline.ChunkWriter.finish``);
* submits: ``judgments``, ``day_<YYYY-MM-DD>`` (judgments made that UTC day), and the
  item moving from ``judged_<k-1>`` to ``judged_<k>``
  (``annotate.assign.services.submit_judgment``; tie-breakers count as judgments only);
* skips: ``skips`` (``annotate.assign.services.skip_assignment``).

Leases are not counted here: claims, expiries and skips change them all the time, and
there are few at any moment (at most each expert's lease cap), so the progress page
counts them, and the items that only a lease has started, exactly when it reads.

Writers add to the slice (``shard``) of the user who acts, so that concurrent submits
on PostgreSQL lock different rows; each transaction updates its counters in one
statement, rows in a fixed order, so concurrent writers never deadlock. ``recount``
computes every counter from the rows it summarises; ``rebuild`` replaces the counters
with it (for rows written outside the application, and in tests).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Insert, Select, delete, func, insert, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from annotate.db import prebuilt, table_of
from annotate.models import Assignment, AssignmentStatus, Item, Judgment, ProjectCounter
from annotate.models.item import visible

SHARDS = 8
JUDGED = "judged_"
DAY = "day_"
_table = table_of(ProjectCounter)


def judged(k: int) -> str:
    """The counter of items with exactly ``k`` judgments (tie-breakers excluded)."""
    return f"{JUDGED}{k}"


def day(when: date) -> str:
    """The counter of judgments made on the UTC day ``when``."""
    return f"{DAY}{when.isoformat()}"


def judgment_added(judged_count: int | None, when: datetime) -> dict[str, int]:
    """The counter changes for one new judgment made at ``when`` (UTC): ``judged_count`` is the
    item's count including it, or None for a tie-breaker (which completes no item)."""
    deltas = {"judgments": 1, day(when.date()): 1}
    if judged_count is not None:
        deltas[judged(judged_count)] = 1
        if judged_count > 1:
            deltas[judged(judged_count - 1)] = -1
    return deltas


def add(db: Session | Connection, project_id: int, deltas: dict[str, int], actor_id: int | None = None) -> None:
    """Add ``deltas`` ({counter: n}) to the project's counters, in the caller's transaction.

    One upsert per counter, sent together (one round trip); call it last before the
    commit, once per transaction: on PostgreSQL the rows stay locked until then."""
    shard = (actor_id or 0) % SHARDS
    rows = [
        {"project_id": project_id, "name": name, "shard": shard, "value": n} for name, n in sorted(deltas.items()) if n
    ]
    if rows:
        db.execute(_upsert((db.get_bind() if isinstance(db, Session) else db).dialect.name), rows)


@prebuilt
def _upsert(dialect: str) -> Insert:
    """The upsert of one counter row, built once per dialect: building it costs more than running it."""
    from sqlalchemy.dialects import postgresql, sqlite

    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(_table)
    return statement.on_conflict_do_update(
        index_elements=["project_id", "name", "shard"], set_={"value": _table.c.value + statement.excluded.value}
    )


def totals(session: Session, project_id: int, *, days: bool = False) -> dict[str, int]:
    """The project's counters: {name: value}; a counter never written is absent (zero).
    Without the per-day counters unless ``days``: they accumulate, a day at a time."""
    return {name: int(value) for name, value in session.execute(totals_query(project_id, days=days)) if value}


def totals_query(project_id: int, *, days: bool = False) -> Select:
    """Select (name, value) of the project's counters, as ``totals`` reads them: for a reader that
    needs them in one statement with other rows (one snapshot on PostgreSQL)."""
    stmt = select(ProjectCounter.name, func.sum(ProjectCounter.value)).where(ProjectCounter.project_id == project_id)
    if not days:
        stmt = stmt.where(~ProjectCounter.name.startswith(DAY, autoescape=True))
    return stmt.group_by(ProjectCounter.name)


def per_day(session: Session, project_id: int, days: list[date]) -> dict[date, int]:
    """Judgments made on each of ``days`` (UTC); 0 for a day without any."""
    names = {day(d): d for d in days}
    found = dict(
        session.execute(
            select(ProjectCounter.name, func.sum(ProjectCounter.value))
            .where(ProjectCounter.project_id == project_id, ProjectCounter.name.in_(names))
            .group_by(ProjectCounter.name)
        ).all()
    )
    return {d: int(found.get(name) or 0) for name, d in names.items()}


def items_with_judgments(values: dict[str, int], at_least: int = 1) -> int:
    """Items with ``at_least`` judgments (tie-breakers excluded), from ``totals``: complete items
    when ``at_least`` is the project's overlap."""
    return sum(n for name, n in values.items() if name.startswith(JUDGED) and int(name[len(JUDGED) :]) >= at_least)


def recount(session: Session, project_id: int) -> dict[str, int]:
    """What ``totals(days=True)`` must be, counted from the items, assignments and judgments themselves."""
    values = {
        "items": session.scalar(
            select(func.count())
            .select_from(Item)
            .where(Item.project_id == project_id, visible(Item.batch_id, project_id))
        ),
        "judgments": session.scalar(
            select(func.count()).select_from(Judgment).where(Judgment.project_id == project_id)
        ),
        "skips": session.scalar(
            select(func.count())
            .select_from(Assignment)
            .where(Assignment.project_id == project_id, Assignment.status == AssignmentStatus.SKIPPED)
        ),
    }
    per_item = (
        select(func.count().label("k"))
        .where(Judgment.project_id == project_id, Judgment.adjudication.is_(False))
        .group_by(Judgment.item_id)
        .subquery()
    )
    for k, n in session.execute(select(per_item.c.k, func.count()).group_by(per_item.c.k)):
        values[judged(k)] = n
    if session.get_bind().dialect.name == "postgresql":
        utc_day = func.to_char(func.timezone("UTC", Judgment.created_at), "YYYY-MM-DD")
    else:
        utc_day = func.date(Judgment.created_at)  # stored as UTC text
    for when, n in session.execute(
        select(utc_day, func.count()).where(Judgment.project_id == project_id).group_by(utc_day)
    ):
        values[f"{DAY}{when}"] = n
    return {name: n for name, n in values.items() if n}


def rebuild(session: Session, project_id: int) -> dict[str, int]:
    """Replace the project's counters with a recount, and every item's ``judged_count``; returns the counters.

    On PostgreSQL the counters table is locked against writers meanwhile (all projects'
    submits and skips wait), so that no change is counted twice or lost."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE project_counters IN SHARE ROW EXCLUSIVE MODE"))
    judged_now = (
        select(func.count())
        .select_from(Judgment)
        .where(Judgment.project_id == Item.project_id, Judgment.item_id == Item.id, Judgment.adjudication.is_(False))
        .correlate(Item)
        .scalar_subquery()
    )
    session.execute(
        table_of(Item)
        .update()
        .where(Item.project_id == project_id, Item.judged_count != judged_now)
        .values(judged_count=judged_now)
    )
    values = recount(session, project_id)
    session.execute(delete(ProjectCounter).where(ProjectCounter.project_id == project_id))
    if values:
        session.execute(
            insert(_table),
            [{"project_id": project_id, "name": name, "shard": 0, "value": n} for name, n in values.items()],
        )
    session.expire_all()
    return values
