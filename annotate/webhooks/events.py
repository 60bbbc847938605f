"""The events a project's webhooks can receive, and how a service announces one.

An announcement makes one delivery (and one job of the task queue) per active endpoint of
the project that asked for the event, in the caller's transaction: the deliveries exist
exactly when what they announce was committed, and their jobs are handed to the queue
after that commit (``records.dispatch_after_commit``). Which events a project's endpoints
want is cached per process for ``CACHE_SECONDS``, so a submit in a project without webhooks
costs a dictionary look-up, not a query (an endpoint registered on another host receives
events from this one at most that long after).
"""

from __future__ import annotations

import threading
import time
from typing import Any

from flask import current_app, has_app_context, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from annotate.db import utcnow
from annotate.models import Batch, ExportRecord, Item, Judgment, Project, Webhook, WebhookDelivery

BATCH_IMPORTED = "batch.imported"
ITEM_COMPLETE = "item.complete"
PROJECT_COMPLETE = "project.complete"
EXPORT_READY = "export.ready"
JUDGMENT_SUBMITTED = "judgment.submitted"

# Name -> what it means, for the settings page and the API's validation.
EVENTS = {
    BATCH_IMPORTED: "an import finished and its items are visible",
    ITEM_COMPLETE: "an item received the judgments the project's overlap asks for",
    PROJECT_COMPLETE: "every item of the project is complete",
    EXPORT_READY: "a folder export is written and can be downloaded",
    JUDGMENT_SUBMITTED: "an expert submitted a judgment (one delivery per judgment: opt in with care)",
}
DEFAULT_EVENTS = (BATCH_IMPORTED, ITEM_COMPLETE, PROJECT_COMPLETE, EXPORT_READY)

CACHE_SECONDS = 10.0
_cache: dict[int, tuple[float, frozenset[str]]] = {}
_cache_lock = threading.Lock()


def forget(project_id: int) -> None:
    """Drop the cached subscriptions of a project (its endpoints changed in this process)."""
    with _cache_lock:
        _cache.pop(project_id, None)


def wanted(session: Session, project_id: int) -> frozenset[str]:
    """The events some active endpoint of the project wants (cached for ``CACHE_SECONDS``)."""
    now = time.monotonic()
    cached = _cache.get(project_id)
    if cached is not None and cached[0] > now:
        return cached[1]
    lists = session.scalars(select(Webhook.events).where(Webhook.project_id == project_id, Webhook.active))
    events = frozenset(name for names in lists for name in names)
    with _cache_lock:
        _cache[project_id] = (now + CACHE_SECONDS, events)
    return events


def announce(session: Session, project: Project, event: str, data: dict[str, Any]) -> list[WebhookDelivery]:
    """Record a delivery of ``event`` to every active endpoint of ``project`` that wants it, and
    queue each one once the caller commits. Flushes; never commits."""
    from annotate.jobs.records import create_job, dispatch_after_commit

    hooks = session.scalars(
        select(Webhook).where(Webhook.project_id == project.id, Webhook.active).order_by(Webhook.id)
    ).all()
    payload = {
        "event": event,
        "created_at": utcnow().isoformat(),
        "project": {"id": project.id, "slug": project.slug, "title": project.title},
        "data": data,
    }
    deliveries = []
    for hook in hooks:
        if event not in hook.events:
            continue
        delivery = WebhookDelivery(webhook_id=hook.id, event=event, payload=payload)
        session.add(delivery)
        session.flush()
        job = create_job(session, "webhook", project_id=project.id, subject_id=delivery.id)
        dispatch_after_commit(session, job)
        deliveries.append(delivery)
    return deliveries


def _site_url(endpoint: str, **values: Any) -> str | None:
    """The page's address for the receiver, when the site's address is known (``ANNOTATE_BASE_URL``:
    a worker has no request to take it from)."""
    base = current_app.config.get("BASE_URL") if has_app_context() else None
    if not base:
        return None
    with current_app.test_request_context(base_url=str(base)):
        return url_for(endpoint, _external=True, **values)


def judgment_submitted(session: Session, project: Project, item: Item, judgment: Judgment, judged: int | None) -> None:
    """After a new judgment (in the submit's transaction): judgment.submitted, item.complete, project.complete."""
    events = wanted(session, project.id)
    if not events:
        return
    if JUDGMENT_SUBMITTED in events:
        announce(
            session,
            project,
            JUDGMENT_SUBMITTED,
            {
                "judgment": {
                    "id": judgment.id,
                    "item": item.external_id,
                    "expert_id": judgment.expert_id,
                    "answers": judgment.answers,
                    "adjudication": judgment.adjudication,
                    "created_at": judgment.created_at.isoformat(),
                }
            },
        )
    if judged is None or judged != project.overlap:
        return  # a tie-breaker, or not the judgment that completes the item
    if ITEM_COMPLETE in events:
        announce(session, project, ITEM_COMPLETE, {"item": {"id": item.external_id, "judgments": judged}})
    if PROJECT_COMPLETE in events:
        from annotate.projects import counters

        values = counters.totals(session, project.id)
        total = values.get("items", 0)
        if total and counters.items_with_judgments(values, project.overlap) >= total:
            announce(session, project, PROJECT_COMPLETE, {"items": total, "overlap": project.overlap})


def batch_imported(session: Session, batch_id: int) -> None:
    """After an import completed (commits its own short transaction when there is something to send)."""
    from annotate.db import begin_write

    batch = session.get(Batch, batch_id, populate_existing=True)
    if batch is None or BATCH_IMPORTED not in wanted(session, batch.project_id):
        return
    project = session.get_one(Project, batch.project_id)
    begin_write(session)
    announce(
        session,
        project,
        BATCH_IMPORTED,
        {
            "batch": {
                "id": batch.id,
                "source": batch.source,
                "format": batch.format,
                "shape": batch.shape,
                "rows_read": batch.rows_read,
                "new": batch.rows_new,
                "duplicate": batch.rows_duplicate,
                "skipped": batch.rows_skipped,
            }
        },
    )
    session.commit()


def export_ready(session: Session, record: ExportRecord) -> None:
    """After a folder export completed (commits its own short transaction when there is something to send)."""
    from annotate.db import begin_write

    if EXPORT_READY not in wanted(session, record.project_id):
        return
    project = session.get_one(Project, record.project_id)
    begin_write(session)
    announce(
        session,
        project,
        EXPORT_READY,
        {
            "export": {
                "id": record.id,
                "format": record.format,
                "rows": record.row_count,
                "sha256": record.sha256,
                "files": record.files,
                "url": _site_url("export.show", slug=project.slug, export_id=record.id),
            }
        },
    )
    session.commit()
