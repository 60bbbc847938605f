"""The report as each face shows it: the whole of it (researchers, the API), the figures
``annotate quality --json`` promises, and one expert's own standing."""

from __future__ import annotations

from dataclasses import dataclass
from time import perf_counter
from typing import Any

from sqlalchemy.orm import Session

from annotate.db import utcnow
from annotate.models import Project, QualitySnapshot
from annotate.quality import queries
from annotate.quality.report import compute

EXPERT_KEYS = (
    "email",
    "score",
    "parts",
    "gold_accuracy",
    "agreement_with_consensus",
    "first_shown_win_rate",
    "position_p_value",
    "judgments",
)
# Up to this many judgments the page computes a report that changed while it waits (about a
# second); past it, the report is computed in the background and kept (annotate.quality.jobs).
# ANNOTATE_QUALITY_LIVE_LIMIT; this default outside an app.
LIVE_LIMIT = 10_000


def live_limit() -> int:
    """ANNOTATE_QUALITY_LIVE_LIMIT of the current app (LIVE_LIMIT outside one)."""
    from flask import current_app, has_app_context

    return int(current_app.config.get("QUALITY_LIVE_LIMIT", LIVE_LIMIT)) if has_app_context() else LIVE_LIMIT


AGREEMENT_KEYS = ("alpha", "level", "items", "judgments", "ci")
LEADERBOARD_KEYS = ("model", "rating", "ci_low", "ci_high", "battles")


def fingerprint(session: Session, project: Project) -> str:
    """What the report depends on, in one short string: it changes whenever a judgment is added or
    changed or a review is made (queries.fingerprint)."""
    row = session.execute(queries.fingerprint(project)).one()
    return "|".join("" if v is None else (v.isoformat() if hasattr(v, "isoformat") else str(v)) for v in row)


def judgment_count(mark: str) -> int:
    """The number of judgments a fingerprint counts (its counts per review state)."""
    return sum(int(part) for part in mark.split("|")[0:-2:2] if part)


def project_report(session: Session, project: Project, *, store: bool = False) -> dict[str, Any]:
    """The project's whole quality report (annotate.quality.report): the kept snapshot while the
    judgments and reviews it was computed from are unchanged (so it is exact), else computed
    now, and kept when ``store`` (a writing request, the CLI)."""
    mark = fingerprint(session, project)
    snapshot = session.get(QualitySnapshot, project.id)
    if snapshot is not None and snapshot.fingerprint == mark:
        return snapshot.report
    started = perf_counter()
    report = compute(session, project)
    if store:
        keep(session, project, mark, report, perf_counter() - started)
    return report


@dataclass
class Shown:
    """What the Quality page shows: ``report`` (None: not computed yet, too large to compute
    while the page waits), whether it is ``exact`` (computed now, or kept and unchanged since),
    the kept ``snapshot`` and the judgments counted now."""

    report: dict[str, Any] | None
    exact: bool
    snapshot: QualitySnapshot | None
    judgments: int


def shown_report(session: Session, project: Project) -> Shown:
    """The kept report while it is exact; else, up to ``LIVE_LIMIT`` judgments, the report
    computed now; else the kept one, marked as not current (the page offers to compute it
    again in the background: annotate.quality.jobs)."""
    mark = fingerprint(session, project)
    judgments = judgment_count(mark)
    snapshot = session.get(QualitySnapshot, project.id)
    if snapshot is not None and snapshot.fingerprint == mark:
        return Shown(snapshot.report, True, snapshot, judgments)
    if judgments <= live_limit():
        return Shown(compute(session, project), True, snapshot, judgments)
    return Shown(snapshot.report if snapshot else None, False, snapshot, judgments)


def keep(session: Session, project: Project, mark: str, report: dict[str, Any], seconds: float) -> QualitySnapshot:
    """Keep ``report``, computed from the judgments and reviews ``mark`` names."""
    snapshot = session.get(QualitySnapshot, project.id)
    if snapshot is None:
        snapshot = QualitySnapshot(project_id=project.id)
        session.add(snapshot)
    snapshot.fingerprint = mark
    snapshot.report = report
    snapshot.seconds = round(seconds, 3)
    snapshot.computed_at = utcnow()
    session.flush()
    return snapshot


def expert_scores(session: Session, project: Project) -> dict[int, float | None]:
    """Each expert's quality score by user id, for routing (a writing caller): the kept scores
    while exact; a project small enough is computed (and kept) now; a large one uses its latest
    kept scores (none yet: no scores)."""
    shown = shown_report(session, project)
    if shown.report is None:
        return {}
    if shown.snapshot is None or shown.report is not shown.snapshot.report:
        keep(session, project, fingerprint(session, project), shown.report, 0.0)
    return {e["user_id"]: e["score"] for e in shown.report["experts"]}


def figures(report: dict[str, Any]) -> dict[str, Any]:
    """The report as ``annotate quality SLUG --json`` gives it: ``agreement`` (per question),
    ``kappa`` (per pair of experts), ``experts``, ``judge`` and ``leaderboard``."""
    return {
        "agreement": {a["question"]: {k: a[k] for k in AGREEMENT_KEYS} for a in report["agreement"]},
        "kappa": [{k: pair[k] for k in ("a", "b", "question", "kappa", "shared")} for pair in report["kappa"]],
        "experts": [{k: e[k] for k in EXPERT_KEYS} for e in report["experts"]],
        "judge": report["judge"],
        "leaderboard": [{k: row[k] for k in LEADERBOARD_KEYS} for row in report["leaderboard"]],
    }


def own_standing(report: dict[str, Any], user_id: int) -> dict[str, Any] | None:
    """One expert's own row of the report (their score, its parts, their rank among how many),
    and nothing of anyone else's."""
    for expert in report["experts"]:
        if expert["user_id"] == user_id:
            return {**expert, "of": len(report["experts"])}
    return None
