"""The project's webhooks page (under its settings): register endpoints, see every delivery,
send one again, try an endpoint, pause or remove it. Researchers of the project only."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g, request, url_for

from annotate import db
from annotate.models import Project, Webhook, WebhookDelivery
from annotate.projects.access import RESEARCH, project_for
from annotate.unit_of_work import after_commit, after_rollback
from annotate.web import client_redirect, login_required, render
from annotate.webhooks import events, services
from annotate.webhooks.services import WebhookError
from annotate.webhooks.signing import REPLAY_WINDOW

bp = Blueprint("webhooks", __name__)


def _page(project: Project, status: int = 200, error: str | None = None, form=None, created: Webhook | None = None):
    session = db.session()
    hooks = session.scalars(services.project_webhooks(project)).all()
    return render(
        "webhooks/page.html",
        "content",
        status=status,
        project=project,
        hooks=hooks,
        events=events.EVENTS,
        default_events=events.DEFAULT_EVENTS,
        error=error,
        form=form or {},
        created=created,
        allow_private=bool(current_app.config["WEBHOOKS_ALLOWED"]),
        replay_window=REPLAY_WINDOW,
    )


def _hook(project: Project, webhook_id: int) -> Webhook:
    hook = db.session().get(Webhook, webhook_id)
    if hook is None or hook.project_id != project.id:
        abort(404)
    return hook


@bp.get("/p/<slug>/settings/webhooks")
@login_required
def page(slug: str):
    project, _member = project_for(g.user, slug, RESEARCH)
    return _page(project)


@bp.post("/p/<slug>/settings/webhooks")
@login_required
def add(slug: str):
    """Register an endpoint; the page then shows its secret, once."""
    project, _member = project_for(g.user, slug, RESEARCH)
    form = request.form
    try:
        hook = services.add_webhook(
            db.session(), project, form.get("url", ""), form.getlist("events"), g.user, form.get("description", "")
        )
    except WebhookError as exc:
        return after_rollback(_page, project, 422, str(exc), form)
    return after_commit(_page, project, 201, None, None, hook)


@bp.get("/p/<slug>/settings/webhooks/<int:webhook_id>")
@login_required
def show(slug: str, webhook_id: int):
    """One endpoint and its latest deliveries (polled while some are under way)."""
    project, _member = project_for(g.user, slug, RESEARCH)
    hook = _hook(project, webhook_id)
    log = db.session().scalars(services.deliveries(hook)).all()
    return render(
        "webhooks/show.html",
        "deliveries",
        project=project,
        hook=hook,
        deliveries=log,
        under_way=any(d.status.value in ("pending", "retrying") for d in log),
    )


def _back(project: Project, hook_id: int):
    return client_redirect(url_for("webhooks.show", slug=project.slug, webhook_id=hook_id))


@bp.post("/p/<slug>/settings/webhooks/<int:webhook_id>/ping")
@login_required
def ping(slug: str, webhook_id: int):
    project, _member = project_for(g.user, slug, RESEARCH)
    hook = _hook(project, webhook_id)
    services.ping(db.session(), project, hook)
    flash("A ping delivery is on its way; its outcome appears below.")
    return _back(project, hook.id)


@bp.post("/p/<slug>/settings/webhooks/<int:webhook_id>/active")
@login_required
def set_active(slug: str, webhook_id: int):
    project, _member = project_for(g.user, slug, RESEARCH)
    hook = _hook(project, webhook_id)
    active = request.form.get("active") == "1"
    services.set_active(db.session(), hook, active)
    flash("The endpoint receives events again." if active else "The endpoint is paused: it receives nothing.")
    return _back(project, hook.id)


@bp.post("/p/<slug>/settings/webhooks/<int:webhook_id>/delete")
@login_required
def remove(slug: str, webhook_id: int):
    project, _member = project_for(g.user, slug, RESEARCH)
    hook = _hook(project, webhook_id)
    url = hook.url
    services.remove_webhook(db.session(), hook)
    flash(f"Removed the endpoint {url} and its delivery log.")
    return client_redirect(url_for("webhooks.page", slug=project.slug))


@bp.post("/p/<slug>/settings/webhooks/<int:webhook_id>/deliveries/<int:delivery_id>/resend")
@login_required
def resend(slug: str, webhook_id: int, delivery_id: int):
    project, _member = project_for(g.user, slug, RESEARCH)
    hook = _hook(project, webhook_id)
    delivery = db.session().get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.webhook_id != hook.id:
        abort(404)
    services.resend(db.session(), delivery)
    flash(f"Delivery {delivery.id} ({delivery.event}) is being sent again.")
    return _back(project, hook.id)
