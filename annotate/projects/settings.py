"""Project settings: parsing a settings form into checked values, and applying them.

What each setting does is the assignment engine's business (annotate/assign/);
this module only makes sure a stored value is one the engine can use.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from annotate.auth.services import UserError, parse_tags
from annotate.models import Project
from annotate.projects.services import ProjectError
from annotate.suggestions import POLICIES

MAX_LEASE_SECONDS = 7 * 24 * 3600


@dataclass(frozen=True)
class Settings:
    """The settings a researcher can change after creating a project."""

    title: str
    overlap: int
    required_expertise: list[str]
    quota_per_expert: int | None
    max_active_leases: int
    lease_seconds: int
    randomize_order: bool
    # Below this agreement (percent) an item's judgments get a tie-breaker; None: never.
    adjudication_threshold: int | None = None
    # What experts see of an item's machine suggestion (annotate.suggestions); None: the template's.
    suggestions: str | None = None

    @classmethod
    def of(cls, project: Project) -> Settings:
        return cls(
            title=project.title,
            overlap=project.overlap,
            required_expertise=list(project.required_expertise or []),
            quota_per_expert=project.quota_per_expert,
            max_active_leases=project.max_active_leases,
            lease_seconds=project.lease_seconds,
            randomize_order=project.randomize_order,
            adjudication_threshold=project.adjudication_threshold,
            suggestions=project.suggestions,
        )


def _int(form: Mapping[str, str], field: str, low: int, high: int, *, optional: bool = False) -> int | None:
    raw = (form.get(field) or "").strip()
    if not raw and optional:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ProjectError(f"{field}: {raw!r} is not a whole number") from None
    if not low <= value <= high:
        raise ProjectError(f"{field}: must be between {low} and {high}, not {value}")
    return value


def parse_settings(form: Mapping[str, str]) -> Settings:
    """Read a settings form; ProjectError names the first bad field."""
    title = (form.get("title") or "").strip()
    if not title:
        raise ProjectError("title: is required")
    if len(title) > 300:
        raise ProjectError("title: at most 300 characters")
    try:
        expertise = parse_tags(form.get("required_expertise") or "")
    except UserError as exc:
        raise ProjectError(str(exc).replace("expertise:", "required_expertise:", 1)) from None
    return Settings(
        title=title,
        overlap=_int(form, "overlap", 1, 100),  # type: ignore[arg-type]
        required_expertise=expertise,
        quota_per_expert=_int(form, "quota_per_expert", 1, 10_000_000, optional=True),
        max_active_leases=_int(form, "max_active_leases", 1, 100),  # type: ignore[arg-type]
        lease_seconds=_int(form, "lease_seconds", 30, MAX_LEASE_SECONDS),  # type: ignore[arg-type]
        randomize_order=form.get("randomize_order") in {"on", "true", "1", "yes"},
        adjudication_threshold=_int(form, "adjudication_threshold", 1, 100, optional=True),
        suggestions=_policy(form),
    )


def _policy(form: Mapping[str, str]) -> str | None:
    raw = (form.get("suggestions") or "").strip()
    if not raw:
        return None  # the template's
    if raw not in POLICIES:
        raise ProjectError(f"suggestions: {raw!r} is not one of {', '.join(POLICIES)} (or empty: the template's)")
    return raw


def update_settings(session: Session, project: Project, settings: Settings) -> list[str]:
    """Apply ``settings`` to ``project``; returns the names of the fields that changed."""
    changed = []
    for field, value in vars(settings).items():
        if getattr(project, field) != value:
            setattr(project, field, value)
            changed.append(field)
    session.flush()
    return changed
