"""API v1 for webhooks, on the API blueprint: list, register (the secret is in that answer
only), pause/resume and remove a project's endpoints; read an endpoint's deliveries and send
one again. Researchers of the project only."""

from __future__ import annotations

from flask import abort, g, jsonify

from annotate import db
from annotate.api.views import bp, error, json_object, token_required
from annotate.models import Project, Webhook, WebhookDelivery
from annotate.projects.access import RESEARCH, project_for
from annotate.webhooks import services
from annotate.webhooks.services import WebhookError


def _hook(project: Project, webhook_id: int) -> Webhook:
    hook = db.session().get(Webhook, webhook_id)
    if hook is None or hook.project_id != project.id:
        abort(404)
    return hook


@bp.get("/projects/<slug>/webhooks")
@token_required
def webhooks(slug: str):
    project, _member = project_for(g.user, slug, RESEARCH)
    hooks = db.session().scalars(services.project_webhooks(project)).all()
    return jsonify({"webhooks": [services.webhook_json(h) for h in hooks]})


@bp.post("/projects/<slug>/webhooks")
@token_required
def add_webhook(slug: str):
    """Register an endpoint: ``{"url", "events": [...], "description"}``; 201 with its secret, shown this once."""
    project, _member = project_for(g.user, slug, RESEARCH)
    body = json_object()
    names = body.get("events")
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        return error(422, "events: a list of event names", field="events")
    url, description = body.get("url"), body.get("description") or ""
    if not isinstance(url, str) or not isinstance(description, str):
        return error(
            422, "url and description must be strings", field="url" if not isinstance(url, str) else "description"
        )
    try:
        hook = services.add_webhook(db.session(), project, url, names, g.user, description)
    except WebhookError as exc:
        return error(422, str(exc), field=str(exc).split(":", 1)[0])
    return jsonify(services.webhook_json(hook, secret=True)), 201


@bp.patch("/projects/<slug>/webhooks/<int:webhook_id>")
@token_required
def update_webhook(slug: str, webhook_id: int):
    """Pause or resume an endpoint: ``{"active": false|true}``."""
    project, _member = project_for(g.user, slug, RESEARCH)
    hook = _hook(project, webhook_id)
    active = json_object().get("active")
    if not isinstance(active, bool):
        return error(422, "active: true or false", field="active")
    services.set_active(db.session(), hook, active)
    return jsonify(services.webhook_json(hook))


@bp.delete("/projects/<slug>/webhooks/<int:webhook_id>")
@token_required
def remove_webhook(slug: str, webhook_id: int):
    project, _member = project_for(g.user, slug, RESEARCH)
    services.remove_webhook(db.session(), _hook(project, webhook_id))
    return "", 204


@bp.get("/projects/<slug>/webhooks/<int:webhook_id>/deliveries")
@token_required
def webhook_deliveries(slug: str, webhook_id: int):
    """The endpoint's latest 50 deliveries, newest first."""
    project, _member = project_for(g.user, slug, RESEARCH)
    log = db.session().scalars(services.deliveries(_hook(project, webhook_id))).all()
    return jsonify({"deliveries": [services.delivery_json(d) for d in log]})


@bp.post("/projects/<slug>/webhooks/<int:webhook_id>/deliveries/<int:delivery_id>/resend")
@token_required
def resend_delivery(slug: str, webhook_id: int, delivery_id: int):
    """Send a delivery again (202): the same body, a new timestamp and signature."""
    project, _member = project_for(g.user, slug, RESEARCH)
    hook = _hook(project, webhook_id)
    delivery = db.session().get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.webhook_id != hook.id:
        abort(404)
    services.resend(db.session(), delivery)
    return jsonify(services.delivery_json(delivery)), 202
