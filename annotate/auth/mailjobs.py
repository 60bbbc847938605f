"""Mail as jobs of the task queue (kind ``mail``): set-password invitations and membership offers.

A request that invites someone queues the mail and answers at once; a worker sends it, and a
mail server that is down or refuses is tried again (five attempts over about 40 minutes).
The job's arguments hold no secret: a set-password link's token is made by the job itself,
just before it is mailed (``invitations.reissue``), so it exists only in the mail, never in
the queue's store or the jobs table. What could not be mailed is shown on the project's
members page (``failed_mail``), with a way to pass the link on by hand instead.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app, url_for
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from annotate.auth import invitations
from annotate.db import begin_write, utcnow
from annotate.jobs.records import create_job
from annotate.jobs.registry import JobFailed, JobKind, register
from annotate.models import Job, JobStatus, Project, User

KIND = "mail"
SHOWN_FOR = timedelta(days=7)


def mail_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def queue_invitation(
    session: Session, invitation_id: int, user: User, project: Project | None, inviter: User, site: str
) -> Job:
    """Queue the mail of a set-password invitation (flushed; dispatch after the commit). ``site``: the
    site's address, for the link (a worker has no request to take it from)."""
    payload = {
        "what": "invitation",
        "invitation_id": invitation_id,
        "to": user.email,
        "user_id": user.id,
        "inviter_id": inviter.id,
        "site": site,
    }
    return create_job(session, KIND, project_id=project.id if project else None, payload=payload)


def queue_offer(session: Session, user: User, project: Project, inviter: User, url: str) -> Job:
    """Queue the mail telling an account's owner about a membership waiting for their answer."""
    payload = {"what": "offer", "to": user.email, "user_id": user.id, "inviter_id": inviter.id, "url": url}
    return create_job(session, KIND, project_id=project.id, payload=payload)


def run(session: Session, job: Job) -> None:
    payload: dict[str, Any] = job.payload
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        raise JobFailed("no mail server is configured (ANNOTATE_MAIL_SERVER)")
    user = session.get(User, payload["user_id"])
    inviter = session.get(User, payload["inviter_id"])
    project = session.get(Project, job.project_id) if job.project_id else None
    if user is None or inviter is None:
        raise JobFailed("the account was deleted")
    if payload["what"] == "offer":
        if project is None:
            raise JobFailed("the project was deleted")
        message = invitations.offer_message(config, user, payload["url"], project, inviter)
    else:
        begin_write(session)
        issued = invitations.reissue(session, payload["invitation_id"])
        if issued is None:
            session.rollback()
            raise JobFailed("the invitation was used, replaced or has expired; send a new one")
        session.commit()
        with current_app.test_request_context(base_url=payload["site"]):
            url = url_for("auth.invitation", token=issued[1], _external=True)
        message = invitations.invitation_message(config, user, url, project, inviter)
    invitations.send(config, message)  # an OSError or SMTPException: tried again


def failed_mail(project: Project) -> Select:
    """The project's mail that could not be sent (yet) in the last week: (recipient, status, error, attempts)."""
    return (
        select(Job)
        .where(
            Job.kind == KIND,
            Job.project_id == project.id,
            Job.status.in_((JobStatus.RETRYING, JobStatus.FAILED)),
            Job.created_at > utcnow() - SHOWN_FOR,
        )
        .order_by(Job.id.desc())
        .limit(20)
    )


register(JobKind(KIND, run=run, max_attempts=5, retry_delay=30, retry_backoff=3.0))
