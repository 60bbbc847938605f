"""Writes behind the expert's pages: drafts (autosaved answers in progress) and judgment edits.

Drafts are kind-agnostic: they hold the task form's fields as the browser would
submit them (``{name: [value, …]}``), so a new task kind needs nothing here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from annotate.db import utcnow
from annotate.models import Assignment, AssignmentStatus, Draft, Judgment, Review, ReviewState

# Form fields that are not part of the answer and must never be stored or restored.
NOT_DRAFTED = frozenset({"csrf_token", "signals"})
DRAFT_MAX_FIELDS = 500
DRAFT_MAX_CHARS = 1_000_000
# How long an expert may still change a judgment, and only while no reviewer has looked at it.
EDIT_WINDOW = timedelta(days=7)


class DraftError(ValueError):
    """A draft was refused; the message says why (and, for bad input, where)."""

    status = 400


class DraftClosed(DraftError):
    """The task is finished (submitted or skipped): there is nothing left to draft."""

    status = 409


@dataclass(frozen=True)
class DraftSaved:
    """What happened to a save: ``stored`` is False when a newer draft (another tab) was kept."""

    draft: Draft
    stored: bool


def clean_fields(raw: Any) -> dict[str, list[str]]:
    """Check a draft's fields: an object of field name -> string or list of strings, within limits."""
    if not isinstance(raw, dict):
        raise DraftError("fields: expected an object of form field names to values")
    if len(raw) > DRAFT_MAX_FIELDS:
        raise DraftError(f"fields: at most {DRAFT_MAX_FIELDS} fields, got {len(raw)}")
    fields: dict[str, list[str]] = {}
    total = 0
    for name, value in raw.items():
        if name in NOT_DRAFTED:
            continue
        values = value if isinstance(value, list) else [value]
        for i, v in enumerate(values):
            if not isinstance(v, str):
                raise DraftError(f"fields.{name}[{i}]: expected a string, got {type(v).__name__}")
            total += len(v)
        fields[name] = values
    if total > DRAFT_MAX_CHARS:
        raise DraftError(f"fields: at most {DRAFT_MAX_CHARS} characters in all, got {total}")
    return fields


def fields_from_form(form: Any) -> dict[str, list[str]]:
    """A submitted form (a werkzeug MultiDict) as draft fields."""
    return {name: form.getlist(name) for name in form if name not in NOT_DRAFTED}


def draft_for(session: Session, assignment: Assignment) -> Draft | None:
    """The assignment's saved draft, if any."""
    return session.scalar(select(Draft).where(Draft.assignment_id == assignment.id))


def save_draft(
    session: Session, assignment: Assignment, fields: Any, client_saved_at: Any, now: datetime | None = None
) -> DraftSaved:
    """Store the expert's answer in progress. A save older (by the browser's clock) than the
    stored draft is not applied: a copy resent after a network drop must not undo newer work
    saved from another tab."""
    if assignment.status in (AssignmentStatus.SUBMITTED, AssignmentStatus.SKIPPED):
        raise DraftClosed(f"this task is {assignment.status.value}; drafts are only kept for open tasks")
    cleaned = clean_fields(fields)
    if not isinstance(client_saved_at, int) or isinstance(client_saved_at, bool) or client_saved_at < 0:
        raise DraftError("client_saved_at: expected a non-negative integer (milliseconds since the epoch)")
    now = now or utcnow()
    draft = draft_for(session, assignment)
    if draft is None:
        draft = Draft(assignment_id=assignment.id, fields=cleaned, client_saved_at=client_saved_at, updated_at=now)
        session.add(draft)
        session.flush()
        return DraftSaved(draft, True)
    if client_saved_at < draft.client_saved_at:
        return DraftSaved(draft, False)
    draft.fields = cleaned
    draft.client_saved_at = client_saved_at
    draft.updated_at = now
    session.flush()
    return DraftSaved(draft, True)


def keep_submitted_as_draft(session: Session, assignment: Assignment, form: Any, now: datetime | None = None) -> None:
    """After a refused submit (lease lost, invalid answers), keep what the expert sent as the draft."""
    now = now or utcnow()
    stamp = int(now.timestamp() * 1000)
    draft = draft_for(session, assignment)
    fields = fields_from_form(form)
    if draft is None:
        session.add(Draft(assignment_id=assignment.id, fields=fields, client_saved_at=stamp, updated_at=now))
    else:
        draft.fields, draft.client_saved_at, draft.updated_at = fields, max(stamp, draft.client_saved_at), now
    session.flush()


def discard_draft(session: Session, assignment: Assignment) -> None:
    """Forget the draft once its judgment is recorded (or the task skipped)."""
    session.execute(delete(Draft).where(Draft.assignment_id == assignment.id))


def returned_review(session: Session, judgment: Judgment | None) -> Review | None:
    """The review that sent ``judgment`` back to its expert, while it waits for their revision."""
    if judgment is None or judgment.review_state is not ReviewState.REJECTED:
        return None
    from annotate.review.queries import latest_review

    return session.scalar(latest_review(judgment.id))


def edit_refusal(session: Session, judgment: Judgment, now: datetime | None = None) -> str | None:
    """Why the expert may no longer change ``judgment``, or None when they may."""
    now = now or utcnow()
    if judgment.review_state is ReviewState.REJECTED:
        return None  # sent back by a reviewer: the expert revises it, however old it is
    if judgment.review_state is ReviewState.ACCEPTED:
        return "A reviewer has accepted this judgment; ask them to change it."
    if now - judgment.created_at > EDIT_WINDOW:
        return f"Judgments can be changed for {EDIT_WINDOW.days} days after they are made."
    return None
