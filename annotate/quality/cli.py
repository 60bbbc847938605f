"""`annotate quality SLUG`: the project's quality figures, as a summary or as JSON for scripts."""

from __future__ import annotations

import click
import orjson
from flask.cli import with_appcontext

from annotate import db
from annotate.clitools import project_by_slug


def _fmt(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


@click.command("quality")
@with_appcontext
@click.argument("slug")
@click.option(
    "--json", "as_json", is_flag=True, help="The figures as JSON (agreement, kappa, experts, judge, leaderboard)."
)
def quality_cmd(slug: str, as_json: bool) -> None:
    """Agreement, expert scores, position bias, judge calibration and the model leaderboard of a project."""
    from annotate.quality.services import figures, project_report

    project = project_by_slug(slug)
    session = db.session()
    report = project_report(session, project)
    session.rollback()
    if as_json:
        click.echo(orjson.dumps(figures(report), option=orjson.OPT_INDENT_2).decode())
        return
    click.echo(f"{project.slug}: {report['judgments']} judgments of {report['items']} items")
    click.echo("agreement (Krippendorff's alpha, 95% interval):")
    for a in report["agreement"]:
        ci = a["ci"]
        between = f"[{_fmt(ci[0])}, {_fmt(ci[1])}]" if ci else "[-]"
        click.echo(f"  {a['question']:<28} {a['level']:<9} {_fmt(a['alpha']):>7} {between:<18} {a['items']} items")
    click.echo("experts (score 0-100, parts):")
    for e in report["experts"]:
        click.echo(
            f"  {e['rank']:>3}. {e['email'][:36]:<36} {_fmt(e['score'], 1):>6}  gold {_fmt(e['gold_accuracy'], 2)}"
            f"  consensus {_fmt(e['agreement_with_consensus'], 2)}  first-shown {_fmt(e['first_shown_win_rate'], 2)}"
            f"  {e['judgments']} judgments"
        )
    position = report["position"]
    click.echo(
        f"first-shown response wins {_fmt(position['first_shown_win_rate'], 3)} of {position['decided']} decided"
        f" judgments (p = {_fmt(position['p_value'], 4)})"
    )
    if report["leaderboard"]:
        click.echo("leaderboard (Elo, 95% interval):")
        for row in report["leaderboard"]:
            click.echo(
                f"  {row['model'][:40]:<40} {row['rating']:>7.1f} [{_fmt(row['ci_low'], 1)}, {_fmt(row['ci_high'], 1)}]"
                f" {row['battles']} battles"
            )
