"""Which judgments an export uses: the filters, applied while streaming item by item.

Every judgment of the project is read once, in item order. An item is
*complete* when it has at least ``overlap`` judgments, counted before any
filter (filters choose whose votes count; they do not make finished work
unfinished). Then, for each judgment, in this order, the first rule that
applies leaves it out and is counted in the summary:

1. its review state is *rejected* (always, except in ``raw``, which keeps
   every judgment and states its review status);
2. ``accepted_only``: its review state is not *accepted* (a review that
   accepts it or fixes it; a judgment revised after a rejection is pending again);
3. its expert is excluded (``exclude_experts``);
4. ``gold_only``: its expert does not pass the gold check (see gold.py);
5. it was made outside ``since`` / ``until`` (UTC, inclusive);
6. ``exclude_flagged``: it carries an authenticity flag (too fast, mostly
   pasted, submitted without interaction: annotate.timekeeping.flags);
7. ``min_score``: its expert's quality score (annotate.quality, over all the
   project's judgments) is below the minimum, or they have none.

Batches are filtered in SQL: an item outside the chosen batches is never read.

Adjudication. A judgment made to break a disagreement (``adjudication``) does
not count towards the overlap. With ``--unit item`` and aggregation
``majority`` or ``unanimous``, an item that has one decides the item: its
answer is the item's row, whatever the other votes and the minimum agreement
(the disagreement is why it was adjudicated). With ``--unit judgment`` or
``all`` it is one more row.
"""

from __future__ import annotations

import hashlib
from collections import namedtuple
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from typing import Any

import orjson

from annotate.export.base import ExportContext, ExportError
from annotate.export.gold import passing_experts
from annotate.export.messages import prompt_messages
from annotate.export.queries import batch_ids, judgment_rows, member_lookup
from annotate.models import User
from annotate.models.work import ReviewState

YIELD_PER = 2000

# One judgment with its item's columns: a named tuple built per export from the columns of
# queries.judgment_rows (which columns depends on the statement's options, so no static type).
JudgmentRow = Any


class ItemView:
    """One item as the formats read it, from the item columns of its first judgment row.

    The item's JSON arrives as text (queries.judgment_rows) and is decoded here, once
    per item however many judgments and rows share it. ``raw`` copies the stored
    texts (``row.prompt_json`` …) unread and asks for no decoding.
    """

    __slots__ = ("_messages", "contents", "external_id", "prompt", "responses", "row")

    def __init__(self, row: JudgmentRow, decode: bool = True):
        self.row = row
        self.external_id: str = row.external_id
        self._messages: orjson.Fragment | None = None
        if decode:
            self.prompt: list[dict[str, Any]] = orjson.loads(row.prompt_json)
            self.responses: list[dict[str, Any]] = orjson.loads(row.responses_json)
            # Each response's text by response id (ids are unique within an item).
            self.contents: dict[str, str] = {r["id"]: r["content"] for r in self.responses}

    @property
    def prompt_messages(self) -> orjson.Fragment:
        """The prompt as TRL's ``{"role", "content"}`` messages, serialised once.

        When every message has just those two keys (the usual case) that is the
        stored text itself, which orjson wrote: it goes out as is, byte for byte
        what ``orjson.dumps(prompt_messages(prompt))`` would give.
        """
        if self._messages is None:
            if set(map(len, self.prompt)) == {2}:
                self._messages = orjson.Fragment(self.row.prompt_json)
            else:
                self._messages = orjson.Fragment(orjson.dumps(prompt_messages(self.prompt)))
        return self._messages


@dataclass(slots=True)
class Group:
    """One item and the judgments of it that passed the filters."""

    item: ItemView
    judgments: list[JudgmentRow]
    total: int  # judgments before filters, adjudications not counted
    adjudication: JudgmentRow | None = None  # see latest_adjudication


def latest_adjudication(judgments: list[JudgmentRow]) -> JudgmentRow | None:
    """The latest tie-breaking judgment that passed the filters and is not an abstention."""
    decided = [r for r in judgments if r.adjudication and not is_abstain(r.answers)]
    return decided[-1] if decided else None


def is_abstain(answers: dict[str, Any]) -> bool:
    return "abstain" in answers


def fallback_pseudonym(project_id: int, expert_id: int) -> str:
    """A stable pseudonym for an expert who is no longer a member (their row was removed)."""
    return "expert-" + hashlib.sha256(f"{project_id}:{expert_id}".encode()).hexdigest()[:8]


def resolve_experts(ctx: ExportContext) -> set[int]:
    """User ids for ``exclude_experts`` (pseudonyms or emails); an unknown name is an error."""
    wanted = ctx.options.exclude_experts
    if not wanted:
        return set()
    by_pseudonym = {p: uid for uid, p in ctx.session.execute(member_lookup(ctx.project))}
    ids: set[int] = set()
    for name in wanted:
        if name in by_pseudonym:
            ids.add(by_pseudonym[name])
            continue
        user_id = ctx.session.scalar(User.by_email(name).with_only_columns(User.id))
        if user_id is None or user_id not in by_pseudonym.values():
            raise ExportError(
                f"exclude_experts: {name!r} is neither a pseudonym nor the email of a member of this project"
            )
        ids.add(user_id)
    return ids


def check_batches(ctx: ExportContext) -> None:
    known = set(ctx.session.scalars(batch_ids(ctx.project)))
    unknown = [b for b in ctx.options.batches if b not in known]
    if unknown:
        raise ExportError(f"batches: {', '.join(map(str, unknown))} not a batch of this project")


def prepare(ctx: ExportContext) -> None:
    """Check the options that need the database, before the first byte is written."""
    check_batches(ctx)
    resolve_experts(ctx)


def groups(
    ctx: ExportContext, *, full: bool = False, order: bool = False, keep_rejected: bool = False, decode: bool = True
) -> Iterator[Group]:
    """Stream the project's items with their judgments that pass the filters (see module doc).
    ``decode=False`` leaves the items' JSON as stored text (see ItemView)."""
    options, summary = ctx.options, ctx.summary
    excluded = resolve_experts(ctx)
    gold_ok = passing_experts(ctx) if options.gold_only else None
    scores = ctx.scores if options.min_score is not None else None
    since, until = options.since, options.until
    stmt = judgment_rows(ctx.project, full=full, order=order, moments=bool(since or until), batches=options.batches)
    # Core, not the ORM: plain rows, streamed in batches (memory stays flat).
    # (The option goes on the statement: on the connection it would stick to later statements.)
    result = ctx.session.connection().execute(stmt.execution_options(yield_per=YIELD_PER))
    # Each row becomes a named tuple: SQLAlchemy's Row reads a column by name only after
    # ``hasattr(Row, name)``, which raises and catches an AttributeError every time, and the
    # formats read several columns of every row (a tenth of the export's time).
    rows_of: Any = namedtuple("JudgmentRow", result.keys())._make  # type: ignore[attr-defined]
    plain = not (
        options.accepted_only
        or excluded
        or gold_ok is not None
        or since
        or until
        or options.exclude_flagged
        or scores is not None
    )
    seconds = summary.seconds
    rejected = ReviewState.REJECTED
    for _item_pk, item_rows in groupby(map(rows_of, result), key=itemgetter(0)):  # item_pk is the first column
        rows: list[JudgmentRow] = list(item_rows)
        summary.judgments_read += len(rows)
        adjudications = rejections = 0
        for row in rows:
            adjudications += row.adjudication
            rejections += row.review_state is rejected
        total = len(rows) - adjudications
        kept: list[JudgmentRow]
        if plain:  # the common case, kept tight: only rejections to drop
            kept = rows
            if rejections and not keep_rejected:
                kept = [row for row in rows if row.review_state is not rejected]
                summary.leave_out("judgment: rejected in review", rejections)
            for row in kept:
                seconds[row.active_seconds] += 1
                summary.flagged += row.flag_bits > 0
            yield Group(ItemView(rows[0], decode), kept, total, latest_adjudication(kept) if adjudications else None)
            continue
        kept = []
        for row in rows:
            state = row.review_state
            if state is ReviewState.REJECTED and not keep_rejected:
                summary.leave_out("judgment: rejected in review")
            elif options.accepted_only and state is not ReviewState.ACCEPTED:
                summary.leave_out("judgment: not accepted in review")
            elif row.expert_id in excluded:
                summary.leave_out("judgment: expert excluded")
            elif gold_ok is not None and row.expert_id not in gold_ok:
                summary.leave_out("judgment: expert below the gold threshold")
            elif (since and row.created_at < since) or (until and row.created_at > until):
                summary.leave_out("judgment: outside the date range")
            elif options.exclude_flagged and row.flag_bits:
                summary.leave_out("judgment: flagged (too fast, mostly pasted or submitted without interaction)")
            elif scores is not None and not _scores_at_least(scores.get(row.expert_id), options.min_score):
                summary.leave_out("judgment: expert below the minimum quality score")
            else:
                kept.append(row)
                seconds[row.active_seconds] += 1
                summary.flagged += row.flag_bits > 0
        yield Group(ItemView(rows[0], decode), kept, total, latest_adjudication(kept) if adjudications else None)


def _scores_at_least(score: float | None, minimum: float | None) -> bool:
    """An expert passes ``min_score`` with a score at least the minimum (none: they do not)."""
    return score is not None and score >= (minimum or 0.0)


def pseudonym(ctx: ExportContext, row: JudgmentRow) -> str:
    return ctx.pseudonyms.get(row.expert_id) or fallback_pseudonym(ctx.project.id, row.expert_id)


def complete_groups(ctx: ExportContext, *, order: bool = False) -> Iterator[Group]:
    """Groups of items with at least ``overlap`` judgments (``--unit item``) and at least one
    judgment left after the filters; all groups with a judgment left for ``--unit judgment``."""
    per_item = ctx.unit == "item"
    overlap = ctx.project.overlap
    for group in groups(ctx, order=order):
        if per_item and group.total < overlap:
            ctx.summary.leave_out("item: incomplete (fewer judgments than the overlap)")
            continue
        if not group.judgments:
            ctx.summary.leave_out("item: no judgment left after the filters")
            continue
        yield group
