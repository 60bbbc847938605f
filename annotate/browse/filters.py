"""The browser's filters, parsed from a query string (the pages and the API share them).

Every problem is reported against its parameter, in the researcher's words; a bad
filter is refused, never silently dropped (a list that ignores a filter looks right
and is wrong)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import orjson

from annotate.browse.search import QUERY_MAX
from annotate.db import MAX_ID
from annotate.limits import whole_number

ITEM_STATES = {
    "open": "Open (nobody has started it)",
    "in_progress": "In progress",
    "complete": "Complete",
    "disputed": "Disputed (sent to adjudication)",
    "skipped": "Skipped by someone",
}
ITEM_SORTS = {"oldest": "Import order", "newest": "Newest first", "external_id": "External id"}
REVIEW_STATES = {"pending": "Waiting for review", "accepted": "Accepted", "rejected": "Rejected"}
VERDICTS = {"preferred": "A response preferred", "tie": "Tie", "none": "No preference (abstained or both bad)"}
# Authenticity flags (annotate.timekeeping.flags): any, none, or one of them.
FLAG_CHOICES = {
    "any": "Any flag",
    "none": "No flag",
    "too_fast": "Too fast",
    "mostly_pasted": "Mostly pasted",
    "idle_submit": "Submitted without interaction",
}
LIMIT_DEFAULT, LIMIT_MAX = 50, 200
TEXT_MAX = 255


class FilterError(ValueError):
    """Bad filters: ``problems`` maps each parameter to what is wrong with it."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = problems


@dataclass
class Filters:
    """What a list is narrowed to. Empty fields filter nothing."""

    q: str = ""
    state: str = ""
    batch: int | None = None
    expert: str = ""  # a pseudonym: researchers' URLs never carry emails
    gold: bool = False
    model: str = ""
    sort: str = "oldest"
    review: str = ""
    verdict: str = ""
    flag: str = ""
    since: date | None = None
    until: date | None = None
    cursor: Any = None
    limit: int = LIMIT_DEFAULT

    def args(self, **override: Any) -> dict[str, Any]:
        """The filters as query-string arguments (for links: next page, back from a confirm page)."""
        values = {
            "q": self.q,
            "state": self.state,
            "batch": self.batch,
            "expert": self.expert,
            "gold": "1" if self.gold else "",
            "model": self.model,
            "sort": "" if self.sort == "oldest" else self.sort,
            "review": self.review,
            "verdict": self.verdict,
            "flag": self.flag,
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
        }
        values.update(override)
        return {k: v for k, v in values.items() if v not in ("", None)}

    @property
    def since_at(self) -> datetime | None:
        return datetime.combine(self.since, time(), UTC) if self.since else None

    @property
    def until_at(self) -> datetime | None:
        """The end of the ``until`` day: the date is inclusive."""
        return datetime.combine(self.until + timedelta(days=1), time(), UTC) if self.until else None


def encode_cursor(value: Any) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(value)).decode().rstrip("=")


def _decode_cursor(raw: str) -> Any:
    try:
        value = orjson.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    except (binascii.Error, ValueError, orjson.JSONDecodeError):
        raise ValueError from None
    if not isinstance(value, (int, str)) or isinstance(value, bool):
        raise ValueError
    return value


def parse(args: Mapping[str, str]) -> Filters:
    """Filters from a query string; raises ``FilterError`` naming every bad parameter."""
    f = Filters()
    problems: dict[str, str] = {}

    def text(name: str, limit: int = TEXT_MAX) -> str:
        value = (args.get(name) or "").strip()
        if len(value) > limit:
            problems[name] = f"at most {limit} characters"
            return ""
        return value

    def choice(name: str, options: Mapping[str, str], default: str = "") -> str:
        value = text(name) or default
        if value and value not in options:
            problems[name] = f"choose one of {', '.join(options)}"
            return default
        return value

    def day(name: str) -> date | None:
        value = text(name)
        if not value:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            problems[name] = "a date like 2026-12-31"
            return None

    f.q = text("q", QUERY_MAX)
    f.state = choice("state", ITEM_STATES)
    f.sort = choice("sort", ITEM_SORTS, "oldest")
    f.review = choice("review", REVIEW_STATES)
    f.verdict = choice("verdict", VERDICTS)
    f.flag = choice("flag", FLAG_CHOICES)
    f.expert = text("expert", 32)
    f.model = text("model")
    f.gold = text("gold") in ("1", "true", "on", "yes")
    f.since, f.until = day("since"), day("until")
    if f.since and f.until and f.since > f.until:
        problems["until"] = "the end date is before the start date"
    batch = text("batch")
    if batch:
        batch_id = whole_number(batch, MAX_ID)
        if batch_id is not None:
            f.batch = batch_id
        else:
            problems["batch"] = "a batch number"
    limit = text("limit")
    if limit:
        limit_value = whole_number(limit, LIMIT_MAX)
        if limit_value:
            f.limit = limit_value
        else:
            problems["limit"] = f"a number from 1 to {LIMIT_MAX}"
    cursor = text("cursor", 1000)
    if cursor:
        try:
            f.cursor = _decode_cursor(cursor)
        except ValueError:
            problems["cursor"] = "not a cursor this list gave out; start from the first page"
        # A cursor of one sort order is meaningless in another.
        if f.cursor is not None and isinstance(f.cursor, str) != (f.sort == "external_id"):
            problems["cursor"] = "not a cursor of this sort order; start from the first page"
    if problems:
        raise FilterError(problems)
    return f
