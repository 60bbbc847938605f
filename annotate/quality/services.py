"""The report as each face shows it: the whole of it (researchers, the API), the figures
``annotate quality --json`` promises, and one expert's own standing."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from annotate.models import Project
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


def project_report(session: Session, project: Project) -> dict[str, Any]:
    """The project's whole quality report (annotate.quality.report)."""
    return compute(session, project)


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
