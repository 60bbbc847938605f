"""``trl``: TRL's conversational preference format with an explicit prompt, one row per decided item."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from itertools import groupby

from sqlalchemy.orm import Session

from annotate.export.base import ExportFormat, ExportSummary, Record
from annotate.export.queries import judgment_answers_by_item
from annotate.kinds import get_kind
from annotate.models import Item, Project

YIELD_PER = 1000


def majority(preferences: list[str | None]) -> str | None:
    """The response id most judgments preferred, or None when the vote is tied or a tie wins.

    Answers without a preference (abstain, both bad) do not vote.
    """
    votes = Counter(p for p in preferences if p is not None)
    if not votes:
        return None
    ranked = votes.most_common(2)
    if len(ranked) == 2 and ranked[0][1] == ranked[1][1]:
        return None
    winner = ranked[0][0]
    return None if winner == "tie" else winner


def preference_row(item: Item, winner: str) -> Record:
    chosen = item.response(winner)
    rejected = next(r for r in item.responses if r["id"] != winner)
    return {
        "id": item.external_id,
        "prompt": [{"role": m["role"], "content": m["content"]} for m in item.prompt],
        "chosen": [{"role": "assistant", "content": chosen["content"]}],
        "rejected": [{"role": "assistant", "content": rejected["content"]}],
    }


def records(session: Session, project: Project, summary: ExportSummary) -> Iterator[Record]:
    kind = get_kind(project.kind)
    stmt = judgment_answers_by_item(project).execution_options(yield_per=YIELD_PER)
    rows = session.execute(stmt)
    for item, group in groupby(rows, key=lambda row: row[0]):
        answers = [row[1] for row in group]
        if len(answers) < project.overlap:
            summary.leave_out("incomplete (fewer judgments than the overlap)")
            continue
        winner = majority([kind.preference(a) for a in answers])
        if winner is None:
            summary.leave_out("tied vote")
            continue
        summary.rows += 1
        yield preference_row(item, winner)


TRL = ExportFormat(
    name="trl",
    description="TRL conversational preference (prompt / chosen / rejected message lists) + id, by majority vote.",
    schema="trl",
    records=records,
)
