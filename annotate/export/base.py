"""What an export format is, and the summary every export keeps."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from annotate.models import Project

Record = dict[str, Any]


@dataclass
class ExportSummary:
    """Counts of what was written and of what was left out, and why."""

    rows: int = 0
    left_out: dict[str, int] = field(default_factory=dict)

    def leave_out(self, reason: str, n: int = 1) -> None:
        self.left_out[reason] = self.left_out.get(reason, 0) + n


@dataclass(frozen=True)
class ExportFormat:
    name: str
    description: str
    # exports/<schema>.schema.json
    schema: str
    # (session, project, summary) -> records, streamed.
    records: Callable[[Session, Project, ExportSummary], Iterator[Record]]
