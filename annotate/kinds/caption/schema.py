"""Caption: the template's config schema, the answer schema, the checks JSON Schema cannot say
(segments in order, long enough, not overlapping, inside the clip) and the keys.

Times are seconds from the start of the clip (numbers, millisecond precision); a segment is
``{"start", "end", "text", "label"}`` with ``end`` exclusive in spirit (WebVTT's cue end).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from annotate.kinds import common
from annotate.kinds.base import Answers, Check, Config

MAX_SECONDS = 86_400  # the item schema's longest media (24 h)
MAX_SEGMENTS = 2000
TEXT_MAX = 5000
SLACK = 0.05  # seconds a segment may end past the stated duration (players round the last frame)
DEFAULT_KEYS = {
    "play_pause": "k",
    "back": "j",
    "forward": "l",
    "mark_start": "[",
    "mark_end": "]",
    "abstain": "z",
}
MEDIA_TYPES = ("audio", "video")

CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "labels": {
            "type": "array",
            "items": {"type": "string", "minLength": 1, "maxLength": 60},
            "uniqueItems": True,
            "minItems": 1,
            "maxItems": 30,
            "description": "Labels a segment may carry (speaker, sound, on-screen text …).",
        },
        "label_required": {"type": "boolean", "default": False, "description": "Every segment needs a label."},
        "allow_overlap": {"type": "boolean", "default": False, "description": "Segments may overlap in time."},
        "text_min_length": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 1},
        "text_max_length": {"type": "integer", "minimum": 1, "maximum": TEXT_MAX, "default": 500},
        "min_segments": {"type": "integer", "minimum": 0, "maximum": MAX_SEGMENTS, "default": 1},
        "max_segments": {"type": "integer", "minimum": 1, "maximum": MAX_SEGMENTS, "default": 500},
        "min_segment_seconds": {"type": "number", "minimum": 0, "maximum": 600, "default": 0.2},
        "seek_seconds": {"type": "number", "exclusiveMinimum": 0, "maximum": 60, "default": 5},
        **common.ABSTAIN_CONFIG,
        "keys": common.keys_schema(list(DEFAULT_KEYS)),
    },
}


def limits(config: Config) -> dict[str, Any]:
    """The config's limits with their defaults filled in."""
    return {
        "text_min_length": config.get("text_min_length", 1),
        "text_max_length": config.get("text_max_length", 500),
        "min_segments": config.get("min_segments", 1),
        "max_segments": config.get("max_segments", 500),
        "min_segment_seconds": config.get("min_segment_seconds", 0.2),
        "seek_seconds": config.get("seek_seconds", 5),
    }


def answer_schema(config: Config, response_ids: list[str]) -> dict:
    """``{"segments": [{"start": 1.2, "end": 3.4, "text": "…", "label": "…"}]}``."""
    limit = limits(config)
    seconds = {"type": "number", "minimum": 0, "maximum": MAX_SECONDS}
    segment: dict[str, Any] = {
        "type": "object",
        "additionalProperties": False,
        "required": ["start", "end", "text"],
        "properties": {
            "start": seconds,
            "end": {**seconds, "exclusiveMinimum": 0},
            "text": {"type": "string", "minLength": limit["text_min_length"], "maxLength": limit["text_max_length"]},
        },
    }
    if config.get("labels"):
        segment["properties"]["label"] = {"enum": list(config["labels"])}
        if config.get("label_required"):
            segment["required"].append("label")
    answer = {
        "type": "object",
        "additionalProperties": False,
        "required": ["segments"],
        "properties": {
            "segments": {
                "type": "array",
                "minItems": limit["min_segments"],
                "maxItems": limit["max_segments"],
                "items": segment,
            }
        },
    }
    return common.with_abstain(config, answer)


def extra_checks(config: Config, answers: Answers) -> list[Check]:
    """Each segment long enough and with words in it; segments in order of their start; none
    starting before the previous one ends (unless the template allows overlaps)."""
    if common.is_abstain(answers):
        return []
    shortest = limits(config)["min_segment_seconds"]
    found: list[Check] = []
    previous: Mapping[str, Any] | None = None
    for i, segment in enumerate(answers["segments"]):
        start, end = segment["start"], segment["end"]
        if end - start < max(shortest, 0.001) - 1e-9:
            found.append((f"segments[{i}].end", f"ends {end - start:.3f} s after it starts; at least {shortest} s"))
        if not segment["text"].strip():
            found.append((f"segments[{i}].text", "should be non-empty"))
        if previous is not None:
            if start < previous["start"]:
                found.append((f"segments[{i}].start", "starts before the previous segment: segments go in order"))
            elif not config.get("allow_overlap") and start < previous["end"] - 1e-9:
                found.append((f"segments[{i}].start", f"starts at {start} s, before the previous one ends"))
        previous = segment
    return found


def clip(responses: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The captioned media: the item's response's audio or video, or None."""
    for response in responses[:1]:
        media = response.get("media")
        if isinstance(media, Mapping) and media.get("type") in MEDIA_TYPES:
            return media
    return None


def content_checks(config: Config, answers: Answers, responses: Sequence[Mapping[str, Any]]) -> list[Check]:
    """The item has audio or video, and no segment ends after it (when its duration is known)."""
    if common.is_abstain(answers):
        return []
    media = clip(responses)
    if media is None:
        return [("segments", "this item has no audio or video to caption")]
    duration = media.get("duration")
    if not isinstance(duration, (int, float)):
        return []
    return [
        (f"segments[{i}].end", f"ends at {segment['end']} s, after the clip's end ({duration} s)")
        for i, segment in enumerate(answers["segments"])
        if segment["end"] > duration + SLACK
    ]


def config_checks(config: Config) -> list[Check]:
    """No key clashes; label_required only with labels; min_segments at most max_segments."""
    found = common.key_conflicts(keys(config))
    if config.get("label_required") and not config.get("labels"):
        found.append(("label_required", "list the labels a segment may carry, or leave label_required out"))
    limit = limits(config)
    if limit["min_segments"] > limit["max_segments"]:
        found.append(("min_segments", f"is above max_segments ({limit['max_segments']})"))
    if limit["text_min_length"] > limit["text_max_length"]:
        found.append(("text_min_length", f"is above text_max_length ({limit['text_max_length']})"))
    return found


def keys(config: Config) -> dict[str, str]:
    """Space always plays and pauses too (the page reserves it; the player takes it while its
    controls are on screen and no text field has the focus)."""
    return common.merged_keys(DEFAULT_KEYS, config)
