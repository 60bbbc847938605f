"""The payroll CSV: one row per person and UTC day (time), and one per adjustment.

Text a person typed (names, emails, reasons) or a project's slug can start with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return, which a spreadsheet would run as a formula:
such a cell is written with a leading apostrophe, the form spreadsheets show as text
(OWASP's "CSV injection" advice). Numbers are written by annotate itself, as plain numbers
(a negative adjustment stays a number a spreadsheet can add up).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from decimal import Decimal

from annotate.models import Activity
from annotate.timekeeping.timesheets import Sheet, hours

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
COLUMNS = [
    "date",
    "email",
    "name",
    "project",
    "entry",
    *[f"{a.value}_hours" for a in Activity],
    "hours",
    "seconds",
    "rate",
    "currency",
    "amount",
    "status",
    "note",
]


def neutral(text: str) -> str:
    """``text`` safe for a spreadsheet cell (see the module docstring)."""
    return "'" + text if text.startswith(DANGEROUS) else text


def _rates(rates: list[Decimal | None]) -> str:
    return " / ".join("none" if r is None else f"{r:.2f}" for r in rates)


def rows(sheet: Sheet, people: dict[int, tuple[str, str]], projects: dict[int, str], currency: str) -> Iterator[list]:
    """The CSV's rows after the header. ``people``: user id -> (email, name); ``projects``: id -> slug."""
    for line in sheet.lines:
        email, name = people.get(line.user_id or 0, (line.email, line.name))
        yield [
            line.day.isoformat(),
            neutral(email or line.email),
            neutral(name or line.name),
            neutral(projects.get(line.project_id, "")),
            "time",
            *[hours(line.seconds_of(a.value)) for a in Activity],
            hours(line.seconds),
            line.seconds,
            _rates(line.rates),
            currency,
            f"{line.amount:.2f}",
            "approved" if line.locked else "open",
            "no rate set for part of this time" if line.unpaid else "",
        ]
    for adjustment in sheet.adjustments:
        email, name = people.get(adjustment.user_id, ("", ""))
        corrects = f"corrects {adjustment.corrects_day.isoformat()}: " if adjustment.corrects_day else ""
        yield [
            adjustment.day.isoformat(),
            neutral(email),
            neutral(name),
            neutral(projects.get(adjustment.project_id, "")),
            "adjustment",
            *["" for _a in Activity],
            hours(adjustment.seconds),
            adjustment.seconds,
            "",
            adjustment.currency,
            f"{adjustment.amount:.2f}",
            "open",
            neutral(corrects + adjustment.reason),
        ]


def to_csv(sheet: Sheet, people: dict[int, tuple[str, str]], projects: dict[int, str], currency: str) -> str:
    """The whole CSV as text (a period's rows: at most a few thousand)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows(sheet, people, projects, currency))
    return out.getvalue()
