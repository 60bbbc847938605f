"""Machine suggestions by policy: what experts see of an item's machine judgment (an LLM
judge's verdict, ``Item.suggestion``), and the record each judgment keeps of it.

The policy is the project's ``suggestions`` setting, else its template's, else ``hidden``:

- ``hidden``: never shown to experts (reviewers and exports still have it);
- ``after_answer``: revealed once the expert has submitted (the page shows it with their
  answer, the API's submit response carries it); they may then revise, and the revision is
  recorded (a ``JudgmentRevision`` with reason ``after-suggestion``);
- ``shown``: on the task page (and in the API's task) while they judge.

Each judgment of an item that has a suggestion records ``{"policy", "seen", "seen_at",
"revised", "revised_at"}`` (``Judgment.suggestion``) so researchers can measure anchoring:
under ``shown`` it was seen from the moment the task was handed out (the lease time); under
``after_answer`` when the submit revealed it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

POLICIES = ("hidden", "after_answer", "shown")
DEFAULT = "hidden"
POLICY_SCHEMA: dict[str, Any] = {
    "enum": list(POLICIES),
    "default": DEFAULT,
    "description": "What experts see of an item's machine suggestion (annotate/suggestions.py): hidden, "
    "after_answer (revealed after submitting; the expert may revise) or shown (while judging). A project "
    "setting overrides it.",
}
POLICY_LABELS = {
    "hidden": "Hidden from experts",
    "after_answer": "Revealed after the expert answers (they may revise)",
    "shown": "Shown while judging",
}


def policy_of(project: Any) -> str:
    """The project's policy: its own setting, else its template's, else hidden."""
    chosen = getattr(project, "suggestions", None) or (project.template or {}).get("suggestions")
    return chosen if chosen in POLICIES else DEFAULT


def visible(policy: str, item: Any, submitted: bool) -> bool:
    """Whether the expert sees the item's suggestion now (``submitted``: they have answered)."""
    if not item.suggestion:
        return False
    return policy == "shown" or (policy == "after_answer" and submitted)


def record(
    policy: str, item: Any, leased_at: datetime, now: datetime, earlier: Mapping[str, Any] | None = None
) -> dict[str, Any] | None:
    """The judgment's record of the suggestion at a submit (``earlier``: the record of the
    submit this one revises); None for an item without a suggestion."""
    if not item.suggestion:
        return None
    if earlier:
        found = dict(earlier)
        if revised_after_seeing(found) and not found.get("revised"):
            found.update(revised=True, revised_at=now.isoformat())
        return found
    seen_at = leased_at if policy == "shown" else now if policy == "after_answer" else None
    return {
        "policy": policy,
        "seen": seen_at is not None,
        "seen_at": seen_at.isoformat() if seen_at else None,
        "revised": False,
        "revised_at": None,
    }


def revised_after_seeing(earlier: Mapping[str, Any] | None) -> bool:
    """A change to a judgment made after the suggestion was revealed to its expert (policy
    after_answer): a revision that may follow the machine's verdict."""
    return bool(earlier and earlier.get("policy") == "after_answer" and earlier.get("seen"))


def described(suggestion: Mapping[str, Any] | None, letters: Mapping[str, str]) -> dict[str, Any] | None:
    """The suggestion as the pages show it: the verdict in the letters this person sees
    (never a response id), the judge, a score, the rationale (untrusted text)."""
    if not suggestion:
        return None
    preferred = suggestion.get("preferred")
    verdict = None
    if preferred == "tie":
        verdict = "a tie"
    elif isinstance(preferred, str) and preferred in letters:
        verdict = f"Response {letters[preferred]} is better"
    elif isinstance(suggestion.get("label"), str):
        verdict = suggestion["label"]
    score = suggestion.get("score")
    return {
        "verdict": verdict,
        "judge": suggestion.get("model") or suggestion.get("source") or "an AI judge",
        "score": score if isinstance(score, int | float) and not isinstance(score, bool) else None,
        "rationale": suggestion.get("rationale") if isinstance(suggestion.get("rationale"), str) else "",
    }
