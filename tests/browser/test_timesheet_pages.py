"""The timesheets in Chromium: a researcher reads a fortnight of a team's hours and pay (rates
that changed mid-period, approved days, an adjustment, flagged time), and every refusal of the
approval forms is shown next to its field; an expert reads their own hours. Leaves the
README's screenshot in docs/."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from helpers import PASSWORD, item_row, screenshot, sign_in, spend

from annotate.assign.services import claim_next, submit_judgment
from annotate.db import utcnow
from annotate.models import Activity, ActivityInterval, ProjectMember, ProjectRole, ReviewVerdict
from annotate.projects.services import add_member
from annotate.review.services import record_review
from annotate.timekeeping import approval, rates
from annotate.timekeeping.periods import Period
from annotate.timekeeping.settings import current

pytestmark = pytest.mark.browser

TYPED = {"interactions": 60, "fields": {"rationale": {"typed": 240, "first_key_ms": 9000}}}
PASTED = {"interactions": 4, "fields": {"rationale": {"typed": 5, "pasted": 610, "pastes": 1, "paste_sizes": [610]}}}
TEAM = (  # name, email, own rate, minutes per judgment, judgments a day, reviewer
    ("Amara Okafor", "amara@clinic.example", Decimal("85.00"), 9, 4),
    ("Ben Lindqvist", "ben@clinic.example", Decimal("60.00"), 6, 5),
    ("Chen Wei", "chen@clinic.example", Decimal("72.50"), 11, 3),
)


def worked(session, user, project, activity: Activity, start: datetime, minutes: int) -> datetime:
    """An interval of ``activity`` as the heartbeats of its page would have left it; returns its end."""
    end = start + timedelta(minutes=minutes)
    session.add(
        ActivityInterval(
            user_id=user.id,
            project_id=project.id,
            activity=activity,
            started_at=start,
            ended_at=end,
            ms=minutes * 60_000,
        )
    )
    return end


def a_fortnight(session, make_user, make_project, import_rows):
    """Two weeks of a dermatology team's work, ending yesterday (UTC): returns the project and the period."""
    lead = make_user("researcher", email="lead@clinic.example", name="Priya Raman")
    reviewer = make_user("expert", email="dana@clinic.example", name="Dana Ruiz", hourly_rate=Decimal("55.00"))
    team = [make_user("expert", email=e, name=n, hourly_rate=r) for n, e, r, _m, _k in TEAM]
    project = make_project(
        "derm-safety",
        title="Dermatology answers: safety review",
        members=[(lead, "researcher"), *[(u, "expert") for u in team]],
        overlap=1,
    )
    add_member(session, project, reviewer, ProjectRole.REVIEWER)
    session.commit()  # the import below owns its transactions
    import_rows(project, [item_row(i, f"Is this mole changing? ({i})", "See a GP.", "Ignore it.") for i in range(200)])
    today = utcnow().date()
    first = today - timedelta(days=14 + today.weekday())  # a Monday, two weeks back
    for offset in range(14):
        day = first + timedelta(days=offset)
        if day.weekday() >= 5 or day >= today:
            continue
        for n, (user, (_name, _email, _rate, minutes, per_day)) in enumerate(zip(team, TEAM, strict=True)):
            moment = datetime(day.year, day.month, day.day, 8 + n, 15, tzinfo=UTC)
            if offset % 7 in (0, 3):  # the week's instructions, read on the project's page
                moment = worked(session, user, project, Activity.INSTRUCTIONS, moment, 6 + 2 * n)
            for k in range(per_day - (offset + n) % 2):
                hurried = user is team[1] and (offset + k) % 6 == 0
                seconds = 40 if hurried else minutes * 60 + 37 * k
                moment += timedelta(seconds=seconds)
                task = claim_next(session, project, user)
                spend(session, task, seconds, until=moment)
                judgment, _new = submit_judgment(
                    session, task, project, {"preferred": "r1"}, signals=PASTED if hurried else TYPED, now=moment
                )
                if (k + offset) % 3:
                    record_review(session, judgment, project, reviewer, ReviewVerdict.ACCEPT, now=moment)
                moment += timedelta(minutes=2)
        # The reviewer works through the day's judgments in the afternoon.
        worked(session, reviewer, project, Activity.REVIEW, datetime(day.year, day.month, day.day, 14, tzinfo=UTC), 50)
        session.commit()
    chen = session.query(ProjectMember).filter_by(project_id=project.id, user_id=team[2].id).one()
    rates.change_rate(session, project, chen, Decimal("80.00"), first + timedelta(days=7), lead, utcnow())
    approval.lock_period(
        session, project, Period(first, first + timedelta(days=6)), lead, utcnow(), current(), "Week 1"
    )
    approval.add_adjustment(
        session,
        project,
        team[0].id,
        seconds=approval.parse_hours("1:30"),
        amount=None,
        corrects=first + timedelta(days=2),
        reason="Calibration call with the lead, not on a task page",
        by=lead,
        now=utcnow(),
        settings=current(),
    )
    session.commit()
    return project, Period(first, today)


def test_a_researcher_reads_and_approves_a_teams_hours_and_an_expert_reads_their_own(
    page, make_user, make_project, import_rows, session
):
    project, period = a_fortnight(session, make_user, make_project, import_rows)
    sign_in(page, "lead@clinic.example", PASSWORD)
    page.goto(f"/p/{project.slug}/progress")
    page.get_by_role("link", name="Timesheets").click()
    page.wait_for_url(f"**/p/{project.slug}/timesheets")
    page.fill("#period-from", period.first.isoformat())
    page.fill("#period-to", period.last.isoformat())
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/timesheets?from=*")
    people = page.locator("table.people-sheet tbody tr")
    assert people.count() == 4  # three experts and the reviewer
    assert "72.50 → 80.00" in people.nth(2).inner_text()  # Chen's rate changed mid-period
    assert page.locator("#rates tbody tr").count() == 5  # and the researcher, unpaid here
    assert "7 of " in page.inner_text(".sheet-head")  # the first week is approved
    assert page.locator(".kpi-warn").count() == 1  # Ben's hurried, pasted judgments: flagged time
    assert "Calibration call" in page.inner_text("#adjustments")
    page.set_viewport_size({"width": 1360, "height": 900})
    screenshot(page, "timesheet", docs="screenshot-timesheet.png")

    # Refusals, next to their fields: today cannot be approved yet; an adjustment needs a reason.
    today = utcnow().date().isoformat()
    page.fill("#lock-from", today)
    page.fill("#lock-to", today)
    page.get_by_role("button", name="Lock these hours").click()
    problem = page.locator("#lock-to-problem")
    assert "not over yet" in problem.inner_text()
    assert page.get_attribute("#lock-to", "aria-invalid") == "true"
    page.select_option("#adjust-user", label="Ben Lindqvist <ben@clinic.example>")
    page.fill("#adjust-hours", "0:30")
    page.fill("#adjust-reason", " ")
    page.get_by_role("button", name="Book").click()
    assert "say why" in page.inner_text("#adjust-reason-problem")
    assert page.dialogs == []

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login*")
    sign_in(page, "chen@clinic.example", PASSWORD)
    page.get_by_role("link", name="Hours").click()
    page.wait_for_url("**/timesheet")
    page.get_by_role("link", name="Last week").click()
    page.wait_for_url("**/timesheet?from=*")
    assert "USD 80.00" not in page.inner_text(".kpis")  # an amount, not a rate
    assert "80.00" in page.inner_text("table.sheet-table >> nth=1")
    screenshot(page, "timekeeping-own-hours")
