"""What a submit records about time and authenticity: the judgment's active seconds and
intervals (from the server's intervals, never from the client), its signals and its flags."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from annotate.models import Assignment, Project
from annotate.timekeeping import flags as flagging
from annotate.timekeeping import heartbeats
from annotate.timekeeping.settings import current
from annotate.timekeeping.signals import merge, parse


@dataclass(frozen=True)
class Measured:
    """A judgment's time and authenticity, as its row stores them."""

    seconds: int
    intervals: int
    signals: dict[str, Any] | None
    flags: dict[str, Any] | None
    bits: int

    def columns(self) -> dict[str, Any]:
        return {
            "active_seconds": self.seconds,
            "interval_count": self.intervals,
            "signals": self.signals,
            "flags": self.flags,
            "flag_bits": self.bits,
        }


def close(session: Session, assignment: Assignment, now: datetime) -> bool:
    """The submit is the last heartbeat of its task: extend the expert's open interval on
    ``assignment`` to ``now``. Call before locking the assignment (a heartbeat locks the
    expert's clock, then references the assignment: the same order, so no deadlock).
    False when the expert never sent a heartbeat (nothing to add up)."""
    return heartbeats.close_on_submit(session, assignment.expert_id, assignment.id, now, current())


def measure(
    session: Session,
    assignment: Assignment,
    project: Project,
    signals: dict[str, Any] | None,
    clocked: bool,
    *,
    earlier_signals: dict[str, Any] | None = None,
) -> Measured:
    """Add up the expert's intervals on ``assignment`` (``clocked``: ``close`` found a clock)
    and raise the flags. ``earlier_signals``: a changed judgment's signals so far (both
    sittings of its text count)."""
    settings = current()
    ms, intervals = heartbeats.assignment_time(session, assignment.expert_id, assignment.id) if clocked else (0, 0)
    seconds = round(ms / 1000)
    kept = merge(earlier_signals, parse(signals)[0])  # in their stored shape, whoever called
    raised = flagging.raised(project.template, seconds, intervals, kept, settings)
    return Measured(seconds, intervals, kept, raised or None, flagging.bits(raised))
