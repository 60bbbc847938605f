"""The report as each face shows it: the whole of it (researchers, the API), the figures
``annotate quality --json`` promises, and one expert's own standing."""

from __future__ import annotations

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
AGREEMENT_KEYS = ("alpha", "level", "items", "judgments", "ci")
LEADERBOARD_KEYS = ("model", "rating", "ci_low", "ci_high", "battles")


def fingerprint(session: Session, project: Project) -> str:
    """What the report depends on, in one short string: it changes whenever a judgment is added or
    changed or a review is made (queries.fingerprint)."""
    row = session.execute(queries.fingerprint(project)).one()
    return "|".join("" if v is None else (v.isoformat() if hasattr(v, "isoformat") else str(v)) for v in row)


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
        if snapshot is None:
            snapshot = QualitySnapshot(project_id=project.id)
            session.add(snapshot)
        snapshot.fingerprint = mark
        snapshot.report = report
        snapshot.seconds = round(perf_counter() - started, 3)
        snapshot.computed_at = utcnow()
        session.flush()
    return report


def expert_scores(session: Session, project: Project) -> dict[int, float | None]:
    """Each expert's quality score by user id (a writing caller: the snapshot is kept)."""
    return {e["user_id"]: e["score"] for e in project_report(session, project, store=True)["experts"]}


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
