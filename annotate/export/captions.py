"""``captions``: one row per captioning judgment: the clip, its time-coded segments and who
wrote them. The folder form also writes each row as a WebVTT file (``captions/``).

It reads answers of the caption kind's shape, ``{"segments": [{"start", "end", "text",
"label"}]}``: a kind that lists this format (``Kind.formats``) answers in that shape, and the
clip is the media of the item's first response.

Captions are one expert's text: they are not aggregated, so the unit is always the judgment.
Times are seconds (floats, to the millisecond); ``label`` is "" for a segment without one, so
every segment has the same keys. ``media.duration`` is null when the import did not know it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from typing import Any

from annotate.export.base import ExportContext, ExportFormat, Record
from annotate.export.selection import complete_groups, is_abstain, pseudonym
from annotate.export.webvtt import webvtt

SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def clip_of(responses: list[dict[str, Any]]) -> dict[str, Any]:
    """The first response's media as the row shows it (every key present)."""
    media = (responses[0].get("media") if responses else None) or {}
    duration = media.get("duration")
    return {
        "type": str(media.get("type") or ""),
        "src": str(media.get("src") or ""),
        "duration": float(duration) if isinstance(duration, (int, float)) else None,
    }


def records(ctx: ExportContext) -> Iterator[Record]:
    summary = ctx.summary
    for group in complete_groups(ctx):
        item = group.item
        media = clip_of(item.responses)
        emitted = 0
        for row in group.judgments:
            if is_abstain(row.answers):
                summary.abstains += 1
                continue
            segments = row.answers.get("segments")
            if not isinstance(segments, list):
                summary.leave_out("judgment: has no segments")
                continue
            summary.judgments_used += 1
            summary.experts.add(row.expert_id)
            emitted += 1
            yield {
                "id": item.external_id,
                "expert": pseudonym(ctx, row),
                "prompt": item.prompt_messages,
                "response_id": item.responses[0]["id"],
                "media": media,
                "segments": [
                    {
                        "start": float(s["start"]),
                        "end": float(s["end"]),
                        "text": s["text"],
                        "label": str(s.get("label") or ""),
                    }
                    for s in segments
                ],
                "num_segments": len(segments),
            }
        if emitted:
            summary.items += 1


def file_stem(record: Record) -> str:
    """A file name for a row: its item id made safe (and told apart by a hash), then the expert."""
    external = str(record["id"])
    safe = SAFE.sub("_", external).strip("._")[:80] or "item"
    digest = hashlib.sha256(external.encode()).hexdigest()[:8]
    return f"{safe}-{digest}.{record['expert']}"


def sidecars(record: Record) -> Iterator[tuple[str, bytes]]:
    """The row as ``captions/<item>-<hash>.<expert>.vtt``."""
    note = f"{record['id']} captioned by {record['expert']}"
    yield f"captions/{file_stem(record)}.vtt", webvtt(record["segments"], note).encode("utf-8")


CAPTIONS = ExportFormat(
    name="captions",
    description="Time-coded captions of audio or video, one row per judgment; the folder form adds WebVTT files.",
    schema="captions",
    records=records,
    units=("judgment",),
    default_unit="judgment",
    tags=("human-feedback", "captions", "audio", "video"),
    task_categories=("automatic-speech-recognition", "video-text-to-text"),
    sidecars=sidecars,
)
