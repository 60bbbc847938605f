"""`annotate timesheets`: a project's hours and pay for a period, as a table or the payroll CSV."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from annotate import db
from annotate.clitools import project_by_slug


@click.command("timesheets")
@with_appcontext
@click.argument("slug")
@click.option("--from", "first", required=True, help="First day of the period, UTC (2026-12-01).")
@click.option("--to", "last", required=True, help="Last day of the period, UTC, included (2026-12-15).")
@click.option(
    "--csv", "as_csv", is_flag=True, help="The payroll CSV (one row per person and day) instead of a summary."
)
def timesheets_cmd(slug: str, first: str, last: str, as_csv: bool) -> None:
    """Hours and pay of a project's people for a period (days in UTC)."""
    from annotate.db import utcnow
    from annotate.timekeeping import settings, timesheets
    from annotate.timekeeping.payroll import to_csv
    from annotate.timekeeping.periods import PeriodError, parse
    from annotate.timekeeping.reports import people_of, project_report

    project = project_by_slug(slug)
    try:
        period = parse({"from": first, "to": last}, utcnow())
    except PeriodError as exc:
        raise click.ClickException("; ".join(f"--{k}: {v}" for k, v in exc.problems.items())) from None
    session = db.session()
    currency = settings.current().currency
    report = project_report(session, project, period, utcnow())
    if as_csv:
        sheet = report.sheet
        ids = {line.user_id for line in sheet.lines if line.user_id} | {a.user_id for a in sheet.adjustments}
        sys.stdout.write(to_csv(sheet, people_of(session, ids), {project.id: project.slug}, currency))
    else:
        click.echo(f"{project.slug}: {period} (UTC days), {currency}")
        click.echo(f"{'person':<36} {'hours':>8} {'amount':>12} {'judgments':>9} {'accepted':>8}  rate")
        for row in report.rows:
            rates = " -> ".join("none" if r is None else f"{r:.2f}" for r in row.total.rates) or "-"
            click.echo(
                f"{row.email[:36]:<36} {timesheets.hours(row.total.seconds):>8} {row.total.amount:>12.2f} "
                f"{row.judgments:>9} {row.accepted:>8}  {rates}"
            )
        click.echo(
            f"{'total':<36} {timesheets.hours(report.total.seconds):>8} {report.total.amount:>12.2f} "
            f"{report.judgments:>9} {report.accepted:>8}"
        )
        if report.sheet.adjustments:
            click.echo(f"adjustments booked in the period: {report.sheet.adjusted_amount:.2f} {currency}")
        if report.locked_days:
            click.echo(f"approved (locked) days: {report.locked_days} of {period.days}")
    session.rollback()
    click.echo(f"timesheets of {slug} for {period}: {len(report.rows)} people", err=True)
