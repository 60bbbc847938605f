"""Rating: one response rated on an anchored likert scale or with thumbs up / down, with
optional criteria (each rated the same way) and an optional or required rationale. The
response may be text, an image, audio or video (the item's ``media``).

The folder: ``schema.py`` (config, answer and gold schemas, checks, keys), ``form.py`` (the
form post, the expert's wording), ``hooks.py`` (scores, votes, gold match),
``templates/_rating.html``, ``static/rating.js`` and ``static/rating.css``.
"""

from __future__ import annotations

from pathlib import Path

from annotate.kinds.base import Kind
from annotate.kinds.rating import form, hooks, schema
from annotate.kinds.rating.schema import CONFIG_SCHEMA, answer_schema

__all__ = ["CONFIG_SCHEMA", "KIND", "answer_schema"]

KIND = Kind(
    name="rating",
    title="Rating",
    config_schema=CONFIG_SCHEMA,
    answer_schema=answer_schema,
    folder=Path(__file__).parent,
    min_responses=1,
    max_responses=1,
    scripts=("rating.js",),
    styles=("rating.css",),
    helpers={
        "rows": schema.rows,
        "points": schema.values,
        "mode": schema.mode,
        "thumbs_label": schema.thumbs_label,
    },
    from_form=form.from_form,
    keys=schema.keys,
    key_labels={
        "up": "Thumbs up (the focused rating)",
        "down": "Thumbs down (the focused rating)",
        "next_row": "Go to the next rating",
        "previous_row": "Go to the previous rating",
    },
    explain=form.explain,
    example_config={
        "mode": "likert",
        "question": "How helpful is this response?",
        "scale": {"min": 1, "max": 5, "anchors": {"1": "Not helpful", "3": "Somewhat helpful", "5": "Very helpful"}},
        "criteria": [{"id": "accuracy", "label": "Accuracy", "description": "Every claim is correct."}],
        "rationale": "optional",
        "abstain_reasons": ["Outside my expertise"],
    },
    config_checks=schema.config_checks,
    questions=hooks.questions,
    votes=hooks.votes,
    gold_schema=schema.gold_schema,
    gold_match=hooks.gold_match,
    scores=hooks.scores,
    formats=("trl-kto", "reward", "raw"),
    min_active_seconds=20,
)
