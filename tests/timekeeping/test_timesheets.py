"""Timesheet arithmetic: UTC days, rates changing mid-period, a project's rate over a person's,
locked periods that no later change reaches, visible adjustments; the payroll CSV (formulas
neutralised) from the page and the CLI; the pages of an expert and of a researcher."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from helpers import spend
from timekeeping.clock import SETTINGS

from annotate.assign.services import claim_next
from annotate.db import utcnow
from annotate.models import ActivityInterval, ProjectMember
from annotate.timekeeping import approval, rates, timesheets
from annotate.timekeeping.payroll import neutral
from annotate.timekeeping.periods import Period

NOV30, DEC1 = date(2026, 11, 30), date(2026, 12, 1)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def worked(session, project, expert, start: datetime, end: datetime) -> None:
    """An interval from ``start`` to ``end`` on the expert's next task."""
    task = claim_next(session, project, expert)
    spend(session, task, (end - start).total_seconds(), until=end)
    session.commit()


def test_days_are_cut_at_midnight_utc_and_each_piece_is_paid_at_the_rate_in_force(session, project, expert):
    # Ada's own rate (40.00, set when her account was made) covers all her time; this project's
    # rate for her, 60.00, applies from 00:15 on 1 December.
    worked(session, project, expert, at(NOV30, 23, 30), at(DEC1, 0, 45))
    rates.record(session, expert.id, project.id, Decimal("60.00"), at(DEC1, 0, 15))
    session.commit()

    sheet = timesheets.sheet(session, Period(NOV30, DEC1), project_id=project.id)
    assert [(ln.day, ln.seconds, ln.amount, ln.rates) for ln in sheet.lines] == [
        (NOV30, 1800, Decimal("20.00"), [Decimal("40.00")]),
        (DEC1, 2700, Decimal("40.00"), [Decimal("40.00"), Decimal("60.00")]),  # 15 min at 40, 30 at 60
    ]
    only_dec1 = timesheets.sheet(session, Period(DEC1, DEC1), project_id=project.id)
    assert [(ln.day, ln.seconds) for ln in only_dec1.lines] == [(DEC1, 2700)]
    # A rate of a third of a cent per second: each day's amount is rounded once, half up.
    rates.record(session, expert.id, project.id, Decimal("0.07"), at(DEC1, 10))
    worked(session, project, expert, at(DEC1, 10), at(DEC1, 10, 9))  # 9 min at 0.07/h = 0.0105
    [_nov30, dec1] = timesheets.sheet(session, Period(NOV30, DEC1), project_id=project.id).lines
    assert dec1.amount == Decimal("40.01")


def test_a_locked_period_keeps_its_approved_hours_and_later_corrections_are_adjustments(
    session, project, expert, researcher
):
    worked(session, project, expert, at(NOV30, 10), at(NOV30, 11))
    lock = approval.lock_period(session, project, Period(NOV30, NOV30), researcher, utcnow(), SETTINGS, "November")
    session.commit()

    # Afterwards: more time lands on the locked day (by hand: heartbeats cannot reach back so far)
    # and the rate changes behind the period's back. The approved line does not move.
    session.add(
        ActivityInterval(
            user_id=expert.id,
            project_id=project.id,
            activity="task",
            started_at=at(NOV30, 12),
            ended_at=at(NOV30, 13),
            ms=3_600_000,
        )
    )
    rates.record(session, expert.id, None, Decimal("100.00"), at(NOV30, 0))
    session.commit()
    [line] = timesheets.sheet(session, Period(NOV30, NOV30), project_id=project.id).lines
    assert (line.seconds, line.amount, line.locked) == (3600, Decimal("40.00"), True)

    with pytest.raises(approval.ApprovalError, match="already locked"):
        approval.lock_period(session, project, Period(date(2026, 11, 29), NOV30), researcher, utcnow(), SETTINGS)
    today = utcnow().date()
    with pytest.raises(approval.ApprovalError, match="not over yet"):
        approval.lock_period(session, project, Period(today, today), researcher, utcnow(), SETTINGS)
    member = session.query(ProjectMember).filter_by(project_id=project.id, user_id=expert.id).one()
    with pytest.raises(rates.RateRefused, match="approved"):
        rates.change_rate(session, project, member, Decimal("70.00"), NOV30, researcher, utcnow())
    session.rollback()

    fix = approval.add_adjustment(
        session,
        project,
        expert.id,
        seconds=approval.parse_hours("1:30"),
        amount=None,
        corrects=NOV30,
        reason="Onboarding call, not on a task page",
        by=researcher,
        now=utcnow(),
        settings=SETTINGS,
    )
    session.commit()
    assert (fix.day, fix.seconds, fix.amount) == (today, 5400, Decimal("150.00"))  # at the rate of 30 Nov: 100.00
    booked = timesheets.sheet(session, Period(today, today), project_id=project.id)
    assert [a.id for a in booked.adjustments] == [fix.id]
    assert lock.note == "November"
    assert [approval.parse_hours(h) for h in ("1.5", "-0.25", "-0:45", "+2")] == [5400, -900, -2700, 7200]
    for bad in ("", "1:75", "abc", "-", "99999"):
        with pytest.raises(approval.ApprovalError):
            approval.parse_hours(bad)


def test_the_payroll_csv_neutralises_formulas_and_the_cli_writes_the_same(
    session, project, expert, researcher, as_researcher, runner
):
    expert.name = '=HYPERLINK("https://example.org/x","pay")'
    worked(session, project, expert, at(NOV30, 9), at(NOV30, 9, 30))
    approval.add_adjustment(
        session,
        project,
        expert.id,
        seconds=-1800,
        amount=Decimal("-20.00"),
        corrects=None,
        reason="@SUM(1+1) double-counted call",
        by=researcher,
        now=utcnow(),
        settings=SETTINGS,
    )
    session.commit()
    period = {"from": "2026-11-30", "to": utcnow().date().isoformat()}
    response = as_researcher.get("/p/tk/timesheets.csv", query_string=period)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.text)))
    time, adjustment = rows
    assert time["name"] == "'" + expert.name
    assert (time["date"], time["hours"], time["task_hours"], time["amount"], time["status"]) == (
        "2026-11-30",
        "0.50",
        "0.50",
        "20.00",
        "open",
    )
    assert adjustment["note"] == "'@SUM(1+1) double-counted call"
    assert (adjustment["entry"], adjustment["hours"], adjustment["amount"]) == ("adjustment", "-0.50", "-20.00")
    for danger in ("=1", "+1", "-1", "@1", "\t1", "\r1"):
        assert neutral(danger) == "'" + danger
    assert neutral("Ada") == "Ada"

    result = runner.invoke(args=["timesheets", "tk", "--from", period["from"], "--to", period["to"], "--csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == response.data
    summary = runner.invoke(args=["timesheets", "tk", "--from", "2026-11-30", "--to", "2026-11-30"])
    assert "ada@example.org" in summary.stdout
    assert "20.00" in summary.stdout
    refused = runner.invoke(args=["timesheets", "tk", "--from", "2026-12-02", "--to", "2026-12-01"])
    assert refused.exit_code != 0
    assert "--to: the period ends before it starts" in refused.output


def test_the_expert_sees_their_own_hours_and_researchers_lock_adjust_and_rate(
    session, project, expert, as_expert, as_researcher
):
    worked(session, project, expert, at(NOV30, 9), at(NOV30, 10))
    mine = as_expert.get("/timesheet", query_string={"from": "2026-11-30", "to": "2026-12-06"})
    assert mine.status_code == 200
    assert "1:00" in mine.text
    assert "USD 40.00" in mine.text
    assert "2026-W49" in mine.text
    assert as_expert.get("/p/tk/timesheets").status_code == 404
    assert as_expert.get("/p/tk/timesheets.csv").status_code == 404
    backwards = as_expert.get("/timesheet", query_string={"from": "2026-12-06", "to": "2026-11-30"})
    assert 'id="to-problem"' in backwards.text
    assert "the period ends before it starts" in backwards.text

    period = {"from": "2026-11-30", "to": "2026-11-30"}
    sheet = as_researcher.get("/p/tk/timesheets", query_string=period)
    assert "Ada" in sheet.text
    assert "USD 40.00" in sheet.text
    today = utcnow().date().isoformat()
    early = as_researcher.post("/p/tk/timesheets/lock", {"from": today, "to": today})
    assert early.status_code == 422
    assert 'id="lock-to-problem"' in early.text
    assert "not over yet" in early.text
    locked = as_researcher.post("/p/tk/timesheets/lock", period)
    assert locked.status_code == 303
    assert "approved" in as_researcher.get(locked.headers["Location"]).text
    why = as_researcher.post("/p/tk/timesheets/adjustments", {"user": str(expert.id), "hours": "1", "reason": " "})
    assert why.status_code == 422
    assert 'id="adjust-reason-problem"' in why.text
    dated = as_researcher.post(
        "/p/tk/timesheets/rates", {"user": str(expert.id), "hourly_rate": "55", "from_day": "2026-11-30"}
    )
    assert dated.status_code == 422
    assert 'id="rate-from_day-problem"' in dated.text
    later = utcnow().date().isoformat()
    ok = as_researcher.post("/p/tk/timesheets/rates", {"user": str(expert.id), "hourly_rate": "55", "from_day": later})
    assert ok.status_code == 303
    session.expire_all()
    member = session.query(ProjectMember).filter_by(project_id=project.id, user_id=expert.id).one()
    assert member.hourly_rate == Decimal("55.00")
