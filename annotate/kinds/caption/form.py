"""Caption: the form post read as answers, times written as people write them, and answer
problems in the expert's words."""

from __future__ import annotations

import re
from typing import Any

from annotate.kinds import common
from annotate.kinds.base import Answers, Config
from annotate.kinds.caption.schema import limits

FIELD = re.compile(r"^segment-([0-9]{1,4})-(start|end|text|label)$")
CLOCK = re.compile(r"^(?:(\d{1,2}):)?(\d{1,2}):(\d{1,2}(?:\.\d+)?)$")
PATH = re.compile(r"^segments\[(\d+)\]\.(start|end|text|label)$")
MAX_ROWS = 2000  # form rows read at most (the schema's limit is the template's max_segments)


def seconds(raw: str | None) -> float | str | None:
    """``12.5``, ``0:12.5`` or ``1:02:03.25`` as seconds (to the millisecond); a text that is no
    time is kept so the schema names it; empty is None."""
    text = (raw or "").strip().replace(",", ".")
    if not text:
        return None
    clock = CLOCK.match(text)
    try:
        if clock:
            hours, minutes, secs = clock.group(1), clock.group(2), clock.group(3)
            if clock.group(1) is None:
                hours, minutes = "0", clock.group(2)
            value = int(hours) * 3600 + int(minutes) * 60 + float(secs)
        else:
            value = float(text)
    except ValueError:
        return text[:40]
    if value != value or abs(value) > 10**7:  # NaN or absurd: kept as text, refused with its path
        return text[:40]
    return round(value, 3)


def clock(value: Any) -> str:
    """Seconds as ``m:ss.mmm`` (``h:mm:ss.mmm`` past an hour), for people."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return str(value)
    whole = round(float(value), 3)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{int(hours)}:{int(minutes):02d}:{secs:06.3f}"
    return f"{int(minutes)}:{secs:06.3f}"


def from_form(config: Config, response_ids: list[str], form: Any) -> Answers:
    """``segment-<n>-start|end|text|label`` rows, in order of their start; rows left wholly
    empty are dropped."""
    abstain = common.abstain_from_form(config, form)
    if abstain is not None:
        return abstain
    rows: dict[int, dict[str, Any]] = {}
    for name in form:
        match = FIELD.match(name)
        if match is None:
            continue
        index = int(match.group(1))
        if index not in rows and len(rows) >= MAX_ROWS:
            continue
        rows.setdefault(index, {})[match.group(2)] = form.get(name)
    segments = []
    for index in sorted(rows):
        row = rows[index]
        text = (row.get("text") or "").replace("\r\n", "\n").strip()
        start, end = seconds(row.get("start")), seconds(row.get("end"))
        label = (row.get("label") or "").strip()
        if start is None and end is None and not text:
            continue
        segment: dict[str, Any] = {"start": start, "end": end, "text": text}
        if label:
            segment["label"] = label
        segments.append(segment)
    # In order of time (a row with no usable start last), so that a refusal names them as shown.
    segments.sort(key=lambda s: s["start"] if isinstance(s["start"], float | int) else float("inf"))
    return {"segments": segments}


def explain(config: Config, path: str, rule: str, names: dict[str, str]) -> str | None:
    """A segment's problem names the segment by its number on the page."""
    match = PATH.match(path)
    limit = limits(config)
    if match:
        n, what = int(match.group(1)) + 1, match.group(2)
        if what == "start":
            if rule == "missing":
                return f"Segment {n}: set its start (a time such as 0:12.5, or press [ at the playhead)."
            after = "starts" if config.get("allow_overlap") else "ends (segments may not overlap here)"
            return f"Segment {n}: its start must be a time (such as 0:12.5) not before the segment above it {after}."
        if what == "end":
            if rule == "missing":
                return f"Segment {n}: set its end (a time such as 0:14, or press ] at the playhead)."
            return (
                f"Segment {n}: its end must be a time at least {limit['min_segment_seconds']} s after its start, "
                "and no later than the end of the clip."
            )
        if what == "text":
            if rule == "invalid":
                return f"Segment {n}: write its caption in at most {limit['text_max_length']} characters."
            return f"Segment {n}: write its caption" + (
                f" (at least {limit['text_min_length']} characters)." if limit["text_min_length"] > 1 else "."
            )
        return f"Segment {n}: choose its label."
    if path == "segments":
        if rule == "invalid":
            return (
                "This item has no audio or video to caption, or has more segments than allowed "
                f"({limit['max_segments']}); skip it or abstain if it has no clip."
            )
        return (
            f"Add at least {limit['min_segments']} segment{'s' if limit['min_segments'] != 1 else ''}: "
            "play the clip, press [ where a caption starts and ] where it ends, then write it."
        )
    return common.shared_explain(config, path, rule, names)
