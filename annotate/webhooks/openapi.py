"""The webhook routes' part of the OpenAPI document (merged into ``annotate.api.openapi``)."""

from __future__ import annotations

from annotate.api.openapi import BODY, BOOL, INT, LOOKUP, STR, TIME, array, body, error, nullable, obj, ok, op, ref
from annotate.webhooks.events import EVENTS

EVENT = {"enum": list(EVENTS)}

SCHEMAS = {
    "Webhook": obj(
        ("id", "url", "events", "description", "active", "created_at"),
        id=INT,
        url=STR,
        events=array(EVENT),
        description=STR,
        active=BOOL,
        created_at=TIME,
        secret={**STR, "description": "The signing secret: in the answer that registers the endpoint only"},
    ),
    "WebhookDelivery": obj(
        id=INT,
        event={"enum": [*EVENTS, "ping"]},
        status={"enum": ["pending", "retrying", "delivered", "failed"]},
        attempts=INT,
        response_code=nullable(INT),
        last_error=nullable(STR),
        created_at=TIME,
        last_attempt_at=nullable(TIME),
        delivered_at=nullable(TIME),
    ),
}

WHO = "a researcher of the project (or an admin)"

OPERATIONS = {
    ("/projects/{slug}/webhooks", "get"): op(
        "The project's webhook endpoints",
        roles=WHO,
        responses={200: ok(obj(webhooks=array(ref("Webhook")))), **LOOKUP},
    ),
    ("/projects/{slug}/webhooks", "post"): op(
        "Register a webhook endpoint",
        roles=WHO,
        description="The answer holds the endpoint's signing secret, shown this once. The URL must be http(s) "
        "and resolve to public addresses only (unless the server allows a private network).",
        request=body(
            obj(("url", "events"), url=STR, events=array(EVENT, minItems=1), description=STR),
        ),
        responses={201: ok(ref("Webhook"), "Registered"), 413: error("The body is too large"), **BODY, **LOOKUP},
    ),
    ("/projects/{slug}/webhooks/{webhook_id}", "patch"): op(
        "Pause or resume a webhook endpoint",
        roles=WHO,
        request=body(obj(active=BOOL)),
        responses={200: ok(ref("Webhook")), 413: error("The body is too large"), **BODY, **LOOKUP},
    ),
    ("/projects/{slug}/webhooks/{webhook_id}", "delete"): op(
        "Remove a webhook endpoint and its delivery log",
        roles=WHO,
        responses={204: {"description": "Removed"}, **LOOKUP},
    ),
    ("/projects/{slug}/webhooks/{webhook_id}/deliveries", "get"): op(
        "An endpoint's latest 50 deliveries, newest first",
        roles=WHO,
        responses={200: ok(obj(deliveries=array(ref("WebhookDelivery")))), **LOOKUP},
    ),
    ("/projects/{slug}/webhooks/{webhook_id}/deliveries/{delivery_id}/resend", "post"): op(
        "Send a delivery again",
        roles=WHO,
        description="The same body, with a new timestamp and signature, as a new job of the task queue.",
        responses={202: ok(ref("WebhookDelivery"), "Queued"), **LOOKUP},
    ),
}
