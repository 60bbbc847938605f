"""Register, change and remove a project's webhook endpoints; re-send a delivery."""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from annotate.jobs.records import create_job, dispatch_after_commit
from annotate.models import DeliveryStatus, Project, User, Webhook, WebhookDelivery
from annotate.webhooks import events
from annotate.webhooks.http import TargetRefused, check_url, resolve
from annotate.webhooks.signing import new_secret

MAX_URL = 2000
MAX_DESCRIPTION = 200
MAX_PER_PROJECT = 20


class WebhookError(ValueError):
    """A refused endpoint: the message names the field (``url: …``, ``events: …``)."""


def check_target(url: str) -> str:
    """The URL, stripped, if a delivery may go there; WebhookError naming the field otherwise."""
    url = (url or "").strip()
    if not url:
        raise WebhookError("url: is required")
    if len(url) > MAX_URL:
        raise WebhookError(f"url: at most {MAX_URL} characters")
    try:
        _scheme, host, port = check_url(url)
        resolve(host, port, current_app.config["WEBHOOKS_ALLOWED"])
    except TargetRefused as exc:
        raise WebhookError(str(exc)) from None
    return url


def check_events(names: Iterable[str]) -> list[str]:
    """The chosen event names, in the order of ``events.EVENTS``; WebhookError for an unknown or no event."""
    chosen = set(names)
    unknown = sorted(chosen - set(events.EVENTS))
    if unknown:
        raise WebhookError(f"events: unknown {', '.join(unknown)}; choose from {', '.join(events.EVENTS)}")
    if not chosen:
        raise WebhookError("events: choose at least one event")
    return [name for name in events.EVENTS if name in chosen]


def add_webhook(
    session: Session, project: Project, url: str, names: Iterable[str], user: User, description: str = ""
) -> Webhook:
    """Register an endpoint (flushed); its secret is on the returned object, to be shown once."""
    count = len(session.scalars(select(Webhook.id).where(Webhook.project_id == project.id)).all())
    if count >= MAX_PER_PROJECT:
        raise WebhookError(f"url: a project has at most {MAX_PER_PROJECT} endpoints; remove one first")
    hook = Webhook(
        project_id=project.id,
        url=check_target(url),
        events=check_events(names),
        secret=new_secret(),
        description=(description or "").strip()[:MAX_DESCRIPTION],
        active=True,
        created_by_id=user.id,
    )
    session.add(hook)
    session.flush()
    events.forget(project.id)
    return hook


def set_active(session: Session, hook: Webhook, active: bool) -> None:
    """Pause or resume an endpoint (a paused one receives nothing, and its queued deliveries fail)."""
    hook.active = active
    session.flush()
    events.forget(hook.project_id)


def remove_webhook(session: Session, hook: Webhook) -> None:
    """Remove an endpoint and its delivery log."""
    session.delete(hook)
    session.flush()
    events.forget(hook.project_id)


def resend(session: Session, delivery: WebhookDelivery) -> None:
    """Send a delivery again (the same body, a new timestamp and signature), as a new job."""
    delivery.status = DeliveryStatus.PENDING
    delivery.last_error = None
    session.flush()
    job = create_job(session, "webhook", project_id=delivery.webhook.project_id, subject_id=delivery.id)
    dispatch_after_commit(session, job)


def ping(session: Session, project: Project, hook: Webhook) -> WebhookDelivery:
    """Queue a ``ping`` delivery to one endpoint, to try it."""
    from annotate.db import utcnow

    delivery = WebhookDelivery(
        webhook_id=hook.id,
        event="ping",
        payload={
            "event": "ping",
            "created_at": utcnow().isoformat(),
            "project": {"id": project.id, "slug": project.slug, "title": project.title},
            "data": {"webhook": hook.id},
        },
    )
    session.add(delivery)
    session.flush()
    dispatch_after_commit(session, create_job(session, "webhook", project_id=project.id, subject_id=delivery.id))
    return delivery


def project_webhooks(project: Project) -> Select:
    """The project's endpoints, oldest first."""
    return select(Webhook).where(Webhook.project_id == project.id).order_by(Webhook.id)


def deliveries(hook: Webhook, limit: int = 50) -> Select:
    """An endpoint's latest deliveries, newest first."""
    return (
        select(WebhookDelivery)
        .where(WebhookDelivery.webhook_id == hook.id)
        .order_by(WebhookDelivery.id.desc())
        .limit(limit)
    )


def delivery_json(delivery: WebhookDelivery) -> dict:
    """A delivery as the API shows it."""
    return {
        "id": delivery.id,
        "event": delivery.event,
        "status": delivery.status.value,
        "attempts": delivery.attempts,
        "response_code": delivery.response_code,
        "last_error": delivery.last_error,
        "created_at": delivery.created_at.isoformat(),
        "last_attempt_at": delivery.last_attempt_at.isoformat() if delivery.last_attempt_at else None,
        "delivered_at": delivery.delivered_at.isoformat() if delivery.delivered_at else None,
    }


def webhook_json(hook: Webhook, *, secret: bool = False) -> dict:
    """An endpoint as the API shows it (its secret only when it was just made)."""
    shown = {
        "id": hook.id,
        "url": hook.url,
        "events": hook.events,
        "description": hook.description,
        "active": hook.active,
        "created_at": hook.created_at.isoformat(),
    }
    if secret:
        shown["secret"] = hook.secret
    return shown
