"""What the qualification page shows: an expert's attempts with feedback on every question
(their answer, the expected answer and its explanation, in the letters they saw the responses
under), and for researchers who passed, failed or is pending."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from annotate.models import Project, ProjectRole, Qualification, QualificationStatus, User
from annotate.quality import queries
from annotate.quality.screening import retake_at

EXPLANATION_KEYS = ("explanation", "why", "note")
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def in_words(value: Any, letters: dict[str, str], *, any_of: bool = False) -> str:
    """An answer or gold value as the expert reads it: response ids as the letters they saw."""
    if isinstance(value, str):
        return f"Response {letters[value]}" if value in letters else value
    if isinstance(value, bool) or value is None:
        return {True: "yes", False: "no", None: "none"}[value]
    if isinstance(value, list):
        joined = " or " if any_of else ", "
        return joined.join(in_words(v, letters) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{in_words(k, letters)}: {in_words(v, letters, any_of=any_of)}" for k, v in value.items())
    return str(value)


@dataclass
class Question:
    external_id: str
    prompt: str
    answer: str
    expected: str
    explanation: str
    correct: bool


def feedback(session: Session, attempt: Qualification) -> list[Question]:
    """Each answered question of ``attempt``, in the order it was asked."""
    rows = {
        j.item_id: (j, item, order)
        for j, item, order in session.execute(queries.judgments_of(attempt.user_id, attempt.item_ids))
    }
    found = []
    for result in attempt.results:
        row = rows.get(result["item_id"])
        if row is None:
            continue
        judgment, item, order = row
        letters = {rid: LETTERS[i] for i, rid in enumerate(order or [r["id"] for r in item.responses])}
        gold = dict(item.gold or {})
        explanation = next((str(gold.pop(k)) for k in EXPLANATION_KEYS if isinstance(gold.get(k), str)), "")
        gold.pop("tolerance", None)
        answers = {k: v for k, v in judgment.answers.items() if k not in ("rationale", "rationales")}
        prompt = next((m.get("content", "") for m in reversed(item.prompt) if m.get("role") == "user"), "")
        found.append(
            Question(
                external_id=item.external_id,
                prompt=prompt if isinstance(prompt, str) else "",
                answer=in_words(answers, letters),
                expected=in_words(gold, letters, any_of=True),
                explanation=explanation,
                correct=bool(result["correct"]),
            )
        )
    return found


@dataclass
class Standing:
    email: str
    name: str
    status: str  # passed, failed, pending, not started
    attempt: Qualification | None
    retake_at: datetime | None


def standings(session: Session, project: Project) -> list[Standing]:
    """Every expert of the project with their latest attempt: passed, failed, pending or not started."""
    latest: dict[int, tuple[Qualification, str, str]] = {}
    for attempt, email, name in session.execute(queries.attempts(project)):
        latest.setdefault(attempt.user_id, (attempt, email, name))
    found = []
    for user_id, email, name, _pseudonym, role in session.execute(queries.members_with_roles(project)):
        if role is not ProjectRole.EXPERT:
            continue
        attempt = latest.get(user_id, (None, email, name))[0]
        status = "not started" if attempt is None else attempt.status.value
        when = (
            retake_at(project, attempt)
            if attempt is not None and attempt.status is QualificationStatus.FAILED
            else None
        )
        found.append(Standing(email, name, status, attempt, when))
    order = {"passed": 0, "pending": 1, "failed": 2, "not started": 3}
    return sorted(found, key=lambda s: (order[s.status], s.email))


def own_attempts(session: Session, project: Project, user: User) -> list[Qualification]:
    """The user's attempts at the project's test, latest first."""
    return [a for a, _e, _n in session.execute(queries.attempts(project)) if a.user_id == user.id]
