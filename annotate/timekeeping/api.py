"""API v1 for time and pay, on the API blueprint: heartbeats from a lab's own task UI, and a
project's timesheets for a period (the same lines as the page and the payroll CSV).

Importing this module registers the routes (``annotate.register_blueprints``)."""

from __future__ import annotations

from flask import g, jsonify, request

from annotate import db
from annotate.api.views import bp, error, token_required
from annotate.auth.services import touch_token
from annotate.models import Activity
from annotate.projects.access import RESEARCH, project_for
from annotate.timekeeping import settings, timesheets
from annotate.timekeeping.periods import PeriodError, parse
from annotate.timekeeping.reports import people_of
from annotate.timekeeping.views import count_heartbeat
from annotate.web import writes_late


@bp.post("/heartbeats")
@token_required
@writes_late
def heartbeats():
    """Count the token's user's activity now: the server's clock, never a duration from the client."""
    response = count_heartbeat()
    if response.status_code == 200:
        touch_token(db.session(), g.token)
    return response


@bp.get("/projects/<slug>/timesheets")
@token_required
def timesheets_json(slug: str):
    """One line per person and UTC day, and the adjustments booked in the period."""
    project, _member = project_for(g.user, slug, RESEARCH)
    from annotate.db import utcnow

    try:
        period = parse(request.args, utcnow())
    except PeriodError as exc:
        return error(422, "bad period", problems=[{"path": k, "message": v} for k, v in exc.problems.items()])
    session = db.session()
    sheet = timesheets.sheet(session, period, project_id=project.id)
    ids = {line.user_id for line in sheet.lines if line.user_id} | {a.user_id for a in sheet.adjustments}
    people = people_of(session, ids)
    currency = settings.current().currency
    return jsonify(
        {
            "project": project.slug,
            "from": period.first.isoformat(),
            "to": period.last.isoformat(),
            "currency": currency,
            "lines": [
                {
                    "date": line.day.isoformat(),
                    "email": people.get(line.user_id or 0, (line.email, line.name))[0],
                    "seconds": line.seconds,
                    "activities": {a.value: line.seconds_of(a.value) for a in Activity},
                    "rates": [None if r is None else str(r) for r in line.rates],
                    "amount": str(line.amount),
                    "approved": line.locked,
                }
                for line in sheet.lines
            ],
            "adjustments": [
                {
                    "date": a.day.isoformat(),
                    "email": people.get(a.user_id, ("", ""))[0],
                    "corrects": a.corrects_day.isoformat() if a.corrects_day else None,
                    "seconds": a.seconds,
                    "amount": str(a.amount),
                    "reason": a.reason,
                }
                for a in sheet.adjustments
            ],
            "total": {"seconds": sheet.seconds, "amount": str(sheet.amount), "owed": str(sheet.owed)},
        }
    )
