"""WebVTT (W3C, https://www.w3.org/TR/webvtt1/): time-coded segments as a captions file."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def vtt_time(value: float) -> str:
    """WebVTT's ``hh:mm:ss.ttt``."""
    millis = round(value * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def vtt_text(text: str) -> str:
    """A cue's text: no blank line (it would end the cue), no "-->", and &, < escaped."""
    lines = [line for line in text.replace("\r", "").split("\n") if line.strip()]
    body = "\n".join(lines).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return body.replace("--&gt;", "- -&gt;")


def webvtt(segments: Iterable[Mapping[str, Any]], note: str = "") -> str:
    """The segments as a WebVTT file; a segment's label is its cue's voice (``<v label>``)."""
    out = ["WEBVTT", ""]
    if note:
        out += ["NOTE " + " ".join(note.split()).replace("-->", "- ->"), ""]
    for n, segment in enumerate(segments, 1):
        text = vtt_text(segment["text"])
        label = segment.get("label")
        if label:
            voice = vtt_text(label).replace("\n", " ")
            text = f"<v {voice}>{text}"
        out += [str(n), f"{vtt_time(segment['start'])} --> {vtt_time(segment['end'])}", text, ""]
    return "\n".join(out)
