"""Pages and the heartbeat: a person's own hours, a project's timesheets (with locking,
adjustments and the payroll CSV), and the heartbeat the working pages send.

Views parse, call a service, and let the request commit once (annotate.unit_of_work).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from flask import Blueprint, Response, current_app, flash, g, jsonify, request, url_for
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from annotate import db
from annotate.auth.services import UserError, parse_rate
from annotate.db import utcnow
from annotate.limits import BodyRefused, request_json
from annotate.models import Activity, Project, ProjectMember
from annotate.projects.access import RESEARCH, project_for
from annotate.timekeeping import approval, heartbeats, rates, settings, timesheets
from annotate.timekeeping.access import NotCounted, resolve
from annotate.timekeeping.periods import Period, PeriodError, parse
from annotate.timekeeping.reports import people_of, project_report, slugs_of
from annotate.web import after_rollback, client_redirect, login_required, render, writes_late

bp = Blueprint("timekeeping", __name__)
BEAT_MAX_BYTES = 4096  # a heartbeat is a few dozen bytes


# -- the heartbeat ------------------------------------------------------------------------------


@bp.post("/heartbeats")
@login_required
@writes_late
def heartbeat():
    """Count the signed-in person's activity now (JSON in, JSON out; see annotate.timekeeping.heartbeats)."""
    return count_heartbeat()


def count_heartbeat() -> Response:
    """The heartbeat of the signed-in person (page) or the token's user (API), as JSON."""
    try:
        beat = heartbeats.parse_beat(request_json(max_bytes=BEAT_MAX_BYTES))
    except BodyRefused as exc:
        return _json(
            {"error": exc.message, "problems": [{"path": exc.path or "body", "message": exc.message}]}, exc.status
        )
    except heartbeats.BeatError as exc:
        problems = [{"path": k, "message": v} for k, v in exc.problems.items()]
        return _json({"error": "not a heartbeat", "problems": problems}, 422)
    try:
        counted = heartbeats.record(
            db.session(), g.user.id, beat, utcnow(), settings.current(), lambda: resolve(g.user, beat)
        )
    except NotCounted as exc:
        return _json({"error": str(exc)}, exc.status)
    return _json({"counted": True, "opened": counted.opened, "seconds": counted.seconds}, 200)


def _json(body: dict[str, Any], status: int) -> Response:
    response = jsonify(body)
    response.status_code = status
    return response


# -- a person's own hours -----------------------------------------------------------------------


def _period(args: MultiDict) -> tuple[Period, dict[str, str]]:
    """The period asked for, or this month with the problems to show next to the fields."""
    try:
        return parse(args, utcnow()), {}
    except PeriodError as exc:
        return parse({}, utcnow()), exc.problems


def quick_ranges(today: date, shown: Period, endpoint: str, **values: Any) -> list[tuple[str, str, bool]]:
    """(label, URL, is it the period ``shown``) of the periods asked for most: this and last
    week and month (UTC)."""
    monday = today - timedelta(days=today.weekday())
    first = today.replace(day=1)
    last_month_end = first - timedelta(days=1)
    periods = [
        ("This week", Period(monday, today)),
        ("Last week", Period(monday - timedelta(days=7), monday - timedelta(days=1))),
        ("This month", Period(first, today)),
        ("Last month", Period(last_month_end.replace(day=1), last_month_end)),
    ]
    return [(label, url_for(endpoint, **values, **p.args()), p == shown) for label, p in periods]


def week_label(week: tuple[int, int]) -> str:
    """(2026, 49) -> "2026-W49 · 30 Nov to 6 Dec"."""
    monday = date.fromisocalendar(week[0], week[1], 1)
    sunday = monday + timedelta(days=6)
    return f"{week[0]}-W{week[1]:02d} · {monday.day} {monday:%b} to {sunday.day} {sunday:%b}"


@bp.get("/timesheet")
@login_required
def mine():
    """The signed-in person's hours per day, week and project, and what they are owed."""
    period, problems = _period(request.args)
    session = db.session()
    sheet = timesheets.sheet(session, period, user_id=g.user.id)
    return render(
        "timekeeping/mine.html",
        "content",
        period=period,
        problems=problems,
        typed=request.args,
        sheet=sheet,
        weeks=timesheets.by_week(sheet),
        projects=timesheets.by_project(sheet),
        names=slugs_of(session, {line.project_id for line in sheet.lines} | {a.project_id for a in sheet.adjustments}),
        currency=settings.current().currency,
        idle_gap=settings.current().idle_gap,
        days=timesheets.by_day(sheet),
        ranges=quick_ranges(utcnow().date(), period, "timekeeping.mine"),
        csv_url=url_for("timekeeping.mine_csv", **period.args()),
        week_label=week_label,
        **_formatting(),
    )


def _formatting() -> dict[str, Any]:
    return {"clock": timesheets.clock, "hours": timesheets.hours, "activities": [a.value for a in Activity]}


@bp.get("/timesheet.csv")
@login_required
def mine_csv():
    period, problems = _period(request.args)
    if problems:
        return Response("; ".join(f"{k}: {v}" for k, v in problems.items()), status=400, mimetype="text/plain")
    session = db.session()
    sheet = timesheets.sheet(session, period, user_id=g.user.id)
    return _csv(sheet, f"hours-{period.first}-{period.last}.csv")


# -- a project's timesheets ---------------------------------------------------------------------


def _project_page(project: Project, *, status: int = 200, errors: dict[str, str] | None = None, form=None):
    period, problems = _period(request.args if request.method == "GET" else request.form)
    report = project_report(db.session(), project, period, utcnow())
    return render(
        "timekeeping/project.html",
        "content",
        status=status,
        project=project,
        period=period,
        problems=problems,
        typed=request.args if request.method == "GET" else request.form,
        report=report,
        errors=errors or {},
        form=form or {},
        ranges=quick_ranges(utcnow().date(), period, "timekeeping.project_sheets", slug=project.slug),
        csv_url=url_for("timekeeping.project_csv", slug=project.slug, **period.args()),
        currency=settings.current().currency,
        **_formatting(),
    )


@bp.get("/p/<slug>/timesheets")
@login_required
def project_sheets(slug: str):
    project, _member = project_for(g.user, slug, RESEARCH)
    return _project_page(project)


@bp.get("/p/<slug>/timesheets.csv")
@login_required
def project_csv(slug: str):
    """One row per person and UTC day, then the adjustments booked in the period: for payroll."""
    project, _member = project_for(g.user, slug, RESEARCH)
    period, problems = _period(request.args)
    if problems:
        return Response("; ".join(f"{k}: {v}" for k, v in problems.items()), status=400, mimetype="text/plain")
    sheet = timesheets.sheet(db.session(), period, project_id=project.id)
    return _csv(sheet, f"timesheets-{project.slug}-{period.first}-{period.last}.csv")


def _csv(sheet: timesheets.Sheet, filename: str) -> Response:
    from annotate.timekeeping.payroll import to_csv

    session = db.session()
    ids = {line.user_id for line in sheet.lines if line.user_id} | {a.user_id for a in sheet.adjustments}
    slugs = {pid: slug for pid, (slug, _title) in slugs_of(session, _project_ids(sheet)).items()}
    body = to_csv(sheet, people_of(session, ids), slugs, settings.current().currency)
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _project_ids(sheet: timesheets.Sheet) -> set[int]:
    return {line.project_id for line in sheet.lines} | {a.project_id for a in sheet.adjustments}


@bp.post("/p/<slug>/timesheets/lock")
@login_required
def lock(slug: str):
    """Approve the period's hours: they can no longer change; later corrections are adjustments."""
    project, _member = project_for(g.user, slug, RESEARCH)
    try:
        period = parse(request.form, utcnow()) if request.form.get("from") or request.form.get("to") else None
        if period is None:
            raise PeriodError({"from": "choose the period to lock"})
        done = approval.lock_period(
            db.session(), project, period, g.user, utcnow(), settings.current(), request.form.get("note", "")
        )
    except PeriodError as exc:
        return after_rollback(_project_page, project, status=422, errors=exc.problems, form=request.form)
    except approval.ApprovalError as exc:
        return after_rollback(_project_page, project, status=422, errors={exc.field: exc.message}, form=request.form)
    flash(f"Locked {done.first_day} to {done.last_day}: these hours are approved and can no longer change.")
    return client_redirect(url_for("timekeeping.project_sheets", slug=project.slug, **period.args()))


@bp.post("/p/<slug>/timesheets/adjustments")
@login_required
def adjust(slug: str):
    """Book a visible correction for a member (hours, an amount, or both), today."""
    project, _member = project_for(g.user, slug, RESEARCH)
    form = request.form
    try:
        user_id = _member_id(form.get("user"))
        seconds = approval.parse_hours(form.get("hours", "")) if (form.get("hours") or "").strip() else 0
        amount = approval.parse_amount(form.get("amount"))
        corrects = _day(form.get("corrects"))
        approval.add_adjustment(
            db.session(),
            project,
            user_id,
            seconds=seconds,
            amount=amount,
            corrects=corrects,
            reason=form.get("reason", ""),
            by=g.user,
            now=utcnow(),
            settings=settings.current(),
        )
    except approval.ApprovalError as exc:
        return after_rollback(
            _project_page, project, status=422, errors={f"adjust-{exc.field}": exc.message}, form=form
        )
    flash("Adjustment booked for today; it shows on the timesheet and in the CSV.")
    back: dict[str, Any] = {k: form[k] for k in ("from", "to") if form.get(k)}
    return client_redirect(url_for("timekeeping.project_sheets", slug=project.slug, **back) + "#adjustments")


@bp.post("/p/<slug>/timesheets/rates")
@login_required
def rate(slug: str):
    """This project's hourly rate for a member from a day on (UTC), e.g. dated back to when they started."""
    project, _member = project_for(g.user, slug, RESEARCH)
    form = request.form
    session = db.session()
    try:
        user_id = _member_id(form.get("user"))
        member = session.scalar(
            select(ProjectMember).where(ProjectMember.project_id == project.id, ProjectMember.user_id == user_id)
        )
        if member is None:
            raise approval.ApprovalError("user", "choose a member of this project")
        try:
            value = parse_rate(form.get("hourly_rate"))
        except UserError as exc:
            raise approval.ApprovalError("hourly_rate", str(exc).removeprefix("hourly_rate: ")) from None
        day = _day(form.get("from_day"), "from_day") or utcnow().date()
        rates.change_rate(session, project, member, value, day, g.user, utcnow())
    except rates.RateRefused as exc:
        return after_rollback(_project_page, project, status=422, errors={"rate-from_day": exc.message}, form=form)
    except approval.ApprovalError as exc:
        return after_rollback(_project_page, project, status=422, errors={f"rate-{exc.field}": exc.message}, form=form)
    shown = f"{value:.2f}" if value is not None else "their own rate"
    flash(f"Rate in this project: {shown} from {day.isoformat()} on. Hours from that day are paid at it.")
    back: dict[str, Any] = {k: form[k] for k in ("from", "to") if form.get(k)}
    return client_redirect(url_for("timekeeping.project_sheets", slug=project.slug, **back) + "#rates")


def _member_id(raw: str | None) -> int:
    from annotate.limits import whole_number

    value = whole_number((raw or "").strip(), 2**31 - 1) if raw else None
    if not value:
        raise approval.ApprovalError("user", "choose a member of this project")
    return value


def _day(raw: str | None, field: str = "corrects") -> date | None:
    text = (raw or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise approval.ApprovalError(field, f"{text[:40]!r} is not a date like 2026-12-01") from None


@bp.app_context_processor
def _helpers() -> dict:
    """``heartbeat_settings()`` for the working pages' clock partial (timekeeping/_clock.html)."""

    def heartbeat_settings() -> dict[str, Any]:
        config = settings.of(current_app.config)
        return {"every_ms": int(config.heartbeat * 1000), "idle_ms": int(config.idle_gap * 1000)}

    return {"heartbeat_settings": heartbeat_settings, "money": money}


@bp.app_template_global()
def flag_notes(flags: dict[str, Any] | None) -> list:
    """(flag, what its value means) of a judgment's flags, for the templates."""
    from annotate.timekeeping.flags import described

    return described(flags)


@bp.app_template_global()
def duration(seconds: int | None) -> str:
    """1234 -> "20 min 34 s"."""
    seconds = int(seconds or 0)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


def money(amount: Decimal | None, currency: str = "") -> str:
    """12345.5 -> "USD 12,345.50" (without a currency: "12,345.50", for a table whose header names it)."""
    if amount is None:
        return "\N{EN DASH}"
    return f"{currency} {amount:,.2f}" if currency else f"{amount:,.2f}"


@bp.app_template_global()
def share(part: float, whole: float) -> str:
    """A share as people read it: "12%", "0.4%", "<0.1%", "0%"."""
    if not whole or not part:
        return "0%"
    value = 100 * part / whole
    if value < 0.1:
        return "<0.1%"
    return f"{value:.1f}%" if value < 10 else f"{value:.0f}%"
