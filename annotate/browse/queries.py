"""Reads for the data browser. Each list is a ``Listing``: a ``select()`` and the key it is
keyset-paginated by, so that page 20,000 costs what page 1 does.

Speed with 1M items (bench/bench_browse.py): every list is ``ORDER BY key LIMIT n+1`` over
an index whose order is the key's; a search walks the full-text index (SQLite: FTS5 in rowid
order, the items' id order, so a common word stops after one page; PostgreSQL: the GIN index).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, String, and_, cast, false, or_, select, text
from sqlalchemy.orm import Session

from annotate.browse import search
from annotate.browse.filters import FilterError, Filters, encode_cursor
from annotate.kinds import get_kind
from annotate.models import (
    Adjudication,
    Assignment,
    AssignmentStatus,
    Batch,
    Item,
    Judgment,
    Project,
    ProjectMember,
    ProjectRole,
    Review,
    ReviewState,
)
from annotate.models.item import visible


@dataclass
class Listing:
    """A list to page through: ``stmt`` ordered by ``key`` (descending when ``descending``)."""

    stmt: Select
    key: Any
    descending: bool = False


@dataclass
class Page:
    rows: list[Any]
    next: str | None  # the cursor of the next page, None on the last


def page(session: Session, listing: Listing, cursor: Any, limit: int) -> Page:
    """One page of ``listing`` after ``cursor`` (the key of the previous page's last row)."""
    stmt, key = listing.stmt, listing.key
    if cursor is not None:
        stmt = stmt.where(key < cursor if listing.descending else key > cursor)
    stmt = stmt.order_by(key.desc() if listing.descending else key).limit(limit + 1)
    rows = list(session.execute(stmt).all())
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows=rows, next=encode_cursor(rows[-1]._mapping["cursor"]) if more else None)


def expert_id(session: Session, project: Project, pseudonym: str) -> int | None:
    """The user id behind a pseudonym in the project; a ``FilterError`` when there is none."""
    if not pseudonym:
        return None
    user_id = session.scalar(
        select(ProjectMember.user_id).where(
            ProjectMember.project_id == project.id, ProjectMember.pseudonym == pseudonym
        )
    )
    if user_id is None:
        raise FilterError({"expert": f"nobody in this project is called {pseudonym}"})
    return user_id


def has_gold() -> ColumnElement[bool]:
    # A JSON column stores Python None as JSON null unless it was never set: both mean "no gold".
    return and_(Item.gold.isnot(None), cast(Item.gold, String) != "null")


def _has_model(dialect: str, model: str) -> ColumnElement[bool]:
    if dialect == "postgresql":
        sql = "EXISTS (SELECT 1 FROM json_array_elements(items.responses) AS r WHERE r->>'model' = :browse_model)"
    else:
        sql = (
            "EXISTS (SELECT 1 FROM json_each(items.responses) AS r "
            "WHERE json_extract(r.value, '$.model') = :browse_model)"
        )
    return text(sql).bindparams(browse_model=model)  # type: ignore[return-value]  # a boolean SQL expression


def _item_conditions(project: Project, f: Filters, dialect: str, expert: int | None) -> list[ColumnElement[bool]]:
    """Every item filter but the search, as WHERE conditions on ``items``."""
    # Items of an import still running (or failed) are not shown (annotate.ingest.pipeline).
    where: list[ColumnElement[bool]] = [Item.project_id == project.id, visible(Item.batch_id, project.id)]
    if f.state == "open":
        where += [Item.assigned_count == 0, Item.judged_count == 0]
    elif f.state == "in_progress":
        where += [Item.assigned_count > 0, Item.judged_count < project.overlap]
    elif f.state == "complete":
        where.append(Item.judged_count >= project.overlap)
    elif f.state == "disputed":
        where.append(Item.id.in_(select(Adjudication.item_id).where(Adjudication.project_id == project.id)))
    elif f.state == "skipped":
        where.append(
            Item.id.in_(
                select(Assignment.item_id).where(
                    Assignment.project_id == project.id, Assignment.status == AssignmentStatus.SKIPPED
                )
            )
        )
    if f.batch is not None:
        where.append(Item.batch_id == f.batch)
    if expert is not None:
        where.append(
            Item.id.in_(select(Judgment.item_id).where(Judgment.project_id == project.id, Judgment.expert_id == expert))
        )
    if f.gold:
        where.append(has_gold())
    if f.model:
        where.append(_has_model(dialect, f.model))
    return where


def _search_words(f: Filters) -> str:
    # A model's name is in the search index too: it narrows the rows the exact check reads.
    return " ".join(w for w in (f.q, f.model) if w)


def items(project: Project, f: Filters, dialect: str, expert: int | None = None) -> Listing:
    """The project's items matching ``f``: rows (id, external_id, batch_id, judged_count,
    assigned_count, created_at, prompt, responses, gold, cursor)."""
    columns = (
        Item.id,
        Item.external_id,
        Item.batch_id,
        Item.judged_count,
        Item.assigned_count,
        Item.created_at,
        Item.prompt,
        Item.responses,
        has_gold().label("gold"),
    )
    where = _item_conditions(project, f, dialect, expert)
    q = _search_words(f)
    key: Any = Item.external_id if f.sort == "external_id" else Item.id
    stmt = select(*columns)
    if q and dialect == "sqlite":
        stmt = stmt.join(search.items_fts, search.items_fts.c.rowid == Item.id)
        where.append(search.sqlite_matches(q))
        if key is Item.id:
            key = search.items_fts.c.rowid  # FTS5 yields its matches in rowid order: no sort
    elif q:
        where.append(search.pg_matches(q))
    return Listing(stmt.add_columns(key.label("cursor")).where(*where), key, descending=f.sort == "newest")


def judgment_conditions(
    project: Project, f: Filters, dialect: str, expert: int | None = None
) -> list[ColumnElement[bool]]:
    """The judgment filters as WHERE conditions on ``judgments``; item filters (search, state,
    batch, gold, model) through the judgment's item."""
    where: list[ColumnElement[bool]] = [Judgment.project_id == project.id]
    if expert is not None:
        where.append(Judgment.expert_id == expert)
    if f.review:
        where.append(Judgment.review_state == ReviewState(f.review))
    verdict_key = get_kind(project.kind).verdict_key
    if f.verdict and verdict_key is None:
        if f.verdict != "none":  # the kind's answers hold no verdict: none of them is a tie or a preference
            where.append(false())
    elif f.verdict:
        preferred = Judgment.answers[verdict_key].as_string()
        if f.verdict == "tie":
            where.append(preferred == "tie")
        elif f.verdict == "preferred":
            where += [preferred.isnot(None), preferred != "tie"]
        else:
            where.append(preferred.is_(None))
    if f.flag:
        where.append(flag_condition(f.flag))
    if f.since_at:
        where.append(Judgment.created_at >= f.since_at)
    if f.until_at:
        where.append(Judgment.created_at < f.until_at)
    if f.state or f.batch is not None or f.gold or f.model:
        item_filters = Filters(state=f.state, batch=f.batch, gold=f.gold, model=f.model)
        where.append(
            Judgment.item_id.in_(select(Item.id).where(*_item_conditions(project, item_filters, dialect, None)))
        )
    if f.q:
        # A plain list of the matching ids, computed once. Joined to items (or to judgments,
        # probing the index per judgment) SQLite's plan can take minutes for a common word.
        if dialect == "sqlite":
            matching = select(search.items_fts.c.rowid).where(search.sqlite_matches(f.q))
        else:
            matching = select(Item.id).where(Item.project_id == project.id, search.pg_matches(f.q))
        where.append(Judgment.item_id.in_(matching))
    return where


def flag_condition(flag: str) -> ColumnElement[bool]:
    """Judgments with any authenticity flag, none, or one of them (``Judgment.flag_bits``)."""
    from annotate.timekeeping.flags import FLAGS

    if flag == "any":
        return Judgment.flag_bits > 0  # a range on the (project_id, flag_bits, expert_id) index
    if flag == "none":
        return Judgment.flag_bits == 0
    return Judgment.flag_bits.op("&")(FLAGS[flag].bit) != 0


def judgments(project: Project, f: Filters, dialect: str, expert: int | None = None) -> Listing:
    """The project's judgments matching ``f``, newest first: rows (id, item_id, external_id,
    pseudonym, answers, review_state, created_at, updated_at, active_seconds, interval_count, flags, adjudication,
    cursor)."""
    stmt = (
        select(
            Judgment.id,
            Judgment.item_id,
            Item.external_id,
            ProjectMember.pseudonym,
            Judgment.answers,
            Judgment.review_state,
            Judgment.created_at,
            Judgment.updated_at,
            Judgment.active_seconds,
            Judgment.interval_count,
            Judgment.flags,
            Judgment.adjudication,
            Judgment.id.label("cursor"),
        )
        .join(Item, Item.id == Judgment.item_id)
        .outerjoin(
            ProjectMember,
            and_(ProjectMember.project_id == Judgment.project_id, ProjectMember.user_id == Judgment.expert_id),
        )
        .where(*judgment_conditions(project, f, dialect, expert))
    )
    return Listing(stmt, Judgment.id, descending=True)


def reviewable(conditions: list[ColumnElement[bool]], reviewer_id: int, now: datetime) -> Select:
    """Ids of the judgments among ``conditions`` that ``reviewer_id`` may review now: pending,
    not their own, not held by another reviewer (the same rules as one review at a time)."""
    return select(Judgment.id).where(
        *conditions,
        Judgment.review_state == ReviewState.PENDING,
        Judgment.expert_id != reviewer_id,
        or_(
            Judgment.review_claimed_until.is_(None),
            Judgment.review_claimed_until <= now,
            Judgment.review_claimed_by_id == reviewer_id,
        ),
    )


# -- one item ---------------------------------------------------------------------------


def item_judgments(item: Item) -> Select:
    """(Judgment, display order the expert saw, pseudonym) of an item, in the order they were made."""
    return (
        select(Judgment, Assignment.display_order, ProjectMember.pseudonym)
        .join(Assignment, Assignment.id == Judgment.assignment_id)
        .outerjoin(
            ProjectMember,
            and_(ProjectMember.project_id == Judgment.project_id, ProjectMember.user_id == Judgment.expert_id),
        )
        .where(Judgment.item_id == item.id)
        .order_by(Judgment.created_at, Judgment.id)
    )


def item_open_work(item: Item) -> Select:
    """(Assignment, pseudonym) of an item's leases and skips: work on it with no judgment."""
    return (
        select(Assignment, ProjectMember.pseudonym)
        .outerjoin(
            ProjectMember,
            and_(ProjectMember.project_id == Assignment.project_id, ProjectMember.user_id == Assignment.expert_id),
        )
        .where(
            Assignment.item_id == item.id,
            Assignment.status.in_((AssignmentStatus.LEASED, AssignmentStatus.SKIPPED)),
        )
        .order_by(Assignment.leased_at, Assignment.id)
    )


def item_adjudication(item: Item) -> Select:
    return select(Adjudication).where(Adjudication.item_id == item.id)


def reviews_of_many(judgment_ids: list[int]) -> Select:
    """Every review of these judgments, oldest first."""
    return select(Review).where(Review.judgment_id.in_(judgment_ids)).order_by(Review.created_at, Review.id)


# -- choices for the filter forms -----------------------------------------------------------


def batches(project: Project, limit: int = 200) -> Select:
    """(id, source, created_at) of the project's latest batches, for the batch filter."""
    return (
        select(Batch.id, Batch.source, Batch.created_at)
        .where(Batch.project_id == project.id)
        .order_by(Batch.id.desc())
        .limit(limit)
    )


def experts(project: Project, limit: int = 500) -> Select:
    """Pseudonyms of the project's experts (and reviewers, who may judge too), for the expert filter."""
    return (
        select(ProjectMember.pseudonym)
        .where(ProjectMember.project_id == project.id, ProjectMember.role != ProjectRole.RESEARCHER)
        .order_by(ProjectMember.pseudonym)
        .limit(limit)
    )
