"""The delivery of one webhook event as a job of the task queue (kind ``webhook``).

Each attempt is recorded on the delivery (status, attempts, response code, last error) in
a short transaction of its own; no transaction is held while the endpoint answers. An
answer other than 2xx, a timeout or a network error is tried again, after 10 s, 30 s,
90 s, 4.5 and 13.5 minutes (six attempts); a target that may not be called (a private
address, too many redirects), a paused or removed endpoint fails at once.
"""

from __future__ import annotations

import time

import orjson
from flask import current_app
from sqlalchemy import update
from sqlalchemy.orm import Session

from annotate import __version__
from annotate.db import begin_write, utcnow
from annotate.jobs.registry import JobFailed, JobKind, register
from annotate.models import DeliveryStatus, Job, WebhookDelivery
from annotate.webhooks import signing
from annotate.webhooks.http import TargetRefused, post

KIND = "webhook"
MAX_ATTEMPTS = 6


def _record(session: Session, delivery_id: int, **values) -> None:
    session.rollback()
    begin_write(session)
    session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def run(session: Session, job: Job) -> None:
    delivery = session.get(WebhookDelivery, job.subject_id)
    if delivery is None:
        raise JobFailed("the delivery was removed with its endpoint")
    if delivery.status is DeliveryStatus.DELIVERED:
        return  # an earlier delivery of this job got through
    hook = delivery.webhook
    if not hook.active:
        raise JobFailed("the endpoint is paused")
    body = orjson.dumps(delivery.payload)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": f"annotate-webhooks/{__version__}",
        "X-Annotate-Event": delivery.event,
        "X-Annotate-Delivery": str(delivery.id),
        signing.TIMESTAMP_HEADER: str(timestamp),
        signing.SIGNATURE_HEADER: signing.signature(hook.secret, timestamp, body),
    }
    url, delivery_id, attempts = hook.url, delivery.id, delivery.attempts + 1
    allowed = current_app.config["WEBHOOKS_ALLOWED"]
    session.rollback()  # nothing held while the endpoint answers
    now = utcnow()
    try:
        answer = post(url, body, headers, allowed=allowed)
    except TargetRefused as exc:
        _record(session, delivery_id, attempts=attempts, last_attempt_at=now, last_error=str(exc), response_code=None)
        raise JobFailed(str(exc)) from None
    except OSError as exc:
        error = f"{type(exc).__name__}: {exc}"
        _record(
            session,
            delivery_id,
            attempts=attempts,
            last_attempt_at=now,
            last_error=error,
            response_code=None,
            status=DeliveryStatus.RETRYING,
        )
        raise ConnectionError(error) from None
    if 200 <= answer.status < 300:
        _record(
            session,
            delivery_id,
            attempts=attempts,
            last_attempt_at=now,
            response_code=answer.status,
            last_error=None,
            status=DeliveryStatus.DELIVERED,
            delivered_at=utcnow(),
        )
        return
    excerpt = answer.body[:300].decode("utf-8", "replace")
    error = f"the endpoint answered HTTP {answer.status}" + (f": {excerpt}" if excerpt.strip() else "")
    _record(
        session,
        delivery_id,
        attempts=attempts,
        last_attempt_at=now,
        response_code=answer.status,
        last_error=error,
        status=DeliveryStatus.RETRYING,
    )
    raise ConnectionError(error)


def failed(session: Session, job: Job, reason: str) -> None:
    """The delivery gave up: marked failed (the page offers to send it again)."""
    if job.subject_id is None:
        return
    session.rollback()
    begin_write(session)
    delivery = session.get(WebhookDelivery, job.subject_id)
    if delivery is not None and delivery.status is not DeliveryStatus.DELIVERED:
        delivery.status = DeliveryStatus.FAILED
        delivery.last_error = delivery.last_error or reason
    session.commit()


register(JobKind(KIND, run=run, failed=failed, max_attempts=MAX_ATTEMPTS, retry_delay=10, retry_backoff=3.0))
