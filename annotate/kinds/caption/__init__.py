"""Caption: time-coded captions of an item's audio or video. A keyboard-driven player (space or
k play / pause, j / l back / forward, [ and ] set a segment's start and end at the playhead),
segments of start, end and text with optional labels, checked on the server (in order, long
enough, inside the clip, not overlapping unless the template allows it). Captioning needs
JavaScript (the player and its marks); the page says so when it is off.

The folder: ``schema.py`` (config and answer schemas, checks, keys), ``form.py`` (the form
post, times, the expert's wording), ``hooks.py`` (votes), ``templates/_caption.html``,
``static/caption.js`` and ``static/caption.css``.
"""

from __future__ import annotations

from pathlib import Path

from annotate.kinds.base import Kind
from annotate.kinds.caption import form, hooks, schema
from annotate.kinds.caption.schema import CONFIG_SCHEMA, answer_schema

__all__ = ["CONFIG_SCHEMA", "KIND", "answer_schema"]

KIND = Kind(
    name="caption",
    title="Captions of audio or video",
    config_schema=CONFIG_SCHEMA,
    answer_schema=answer_schema,
    folder=Path(__file__).parent,
    min_responses=1,
    max_responses=1,
    scripts=("caption.js",),
    styles=("caption.css",),
    helpers={"clip": schema.clip, "limits": schema.limits, "clock": form.clock},
    from_form=form.from_form,
    keys=schema.keys,
    key_labels={
        "play_pause": "Play or pause (space too)",
        "back": "Back a few seconds",
        "forward": "Forward a few seconds",
        "mark_start": "Start a segment at the playhead",
        "mark_end": "End the segment at the playhead, then write its text",
    },
    explain=form.explain,
    example_config={
        "labels": ["Speech", "Sound", "On-screen text"],
        "allow_overlap": False,
        "text_max_length": 300,
        "abstain_reasons": ["No audible speech or sound"],
    },
    extra_checks=schema.extra_checks,
    content_checks=schema.content_checks,
    config_checks=schema.config_checks,
    questions=hooks.questions,
    votes=hooks.votes,
    formats=("captions", "raw"),
    min_active_seconds=30,
)
