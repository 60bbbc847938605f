"""Scores route disputed items: adjudication goes to the project's strongest qualified adjudicators.

An adjudicator who has not passed the project's qualification test takes no adjudication. One
who has judged in the project (and so has a quality score) takes adjudications only while their
score is among the ``POOL`` highest of the project's adjudicators that have one; adjudicators
without a score (reviewers and researchers who do not judge) are not limited by it.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from annotate.models import Project, User
from annotate.quality import queries, screening
from annotate.quality.services import expert_scores

POOL = 3


def adjudication_refusal(session: Session, project: Project, user: User) -> str | None:
    """Why ``user`` may not break ties in ``project`` now, in their words; None: they may."""
    from annotate.assign.routing import can_adjudicate

    if not screening.qualified(session, project, user):
        return "You have not passed this project's qualification test, so you cannot break ties in it yet."
    scores = expert_scores(session, project)
    mine = scores.get(user.id)
    if mine is None:
        return None
    eligible = [
        scores[member.user_id]
        for member in session.scalars(queries.members(project))
        if scores.get(member.user_id) is not None and can_adjudicate(member.user, member)
    ]
    ranked = sorted((s for s in eligible if s is not None), reverse=True)
    if len(ranked) > POOL and mine < ranked[POOL - 1]:
        return (
            f"Disputed items go to this project's {POOL} adjudicators with the highest quality scores; "
            f"yours ({mine:.1f}) is below theirs ({ranked[POOL - 1]:.1f} and up) for now."
        )
    return None
