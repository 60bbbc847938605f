"""Rubric rating: each response scored on each criterion (a response x criterion grid),
every criterion with a description and an anchored integer scale, optional rationales.

The folder: ``schema.py`` (config, answer and gold schemas, checks, keys), ``form.py`` (the
form post, the expert's wording), ``hooks.py`` (pairs, votes, gold match),
``templates/_rubric.html``, ``static/rubric.js`` and ``static/rubric.css``.
"""

from __future__ import annotations

from pathlib import Path

from annotate.kinds.base import Kind
from annotate.kinds.rubric import form, hooks, schema
from annotate.kinds.rubric.hooks import mean_scores
from annotate.kinds.rubric.schema import CONFIG_SCHEMA, MAX_RESPONSES, answer_schema

__all__ = ["CONFIG_SCHEMA", "KIND", "MAX_RESPONSES", "answer_schema", "mean_scores"]

KIND = Kind(
    name="rubric",
    title="Rubric rating",
    config_schema=CONFIG_SCHEMA,
    answer_schema=answer_schema,
    folder=Path(__file__).parent,
    min_responses=1,
    max_responses=MAX_RESPONSES,
    scripts=("rubric.js",),
    styles=("rubric.css",),
    from_form=form.from_form,
    keys=schema.keys,
    key_labels={
        "next_cell": "Go to the next score",
        "previous_cell": "Go to the previous score",
    },
    explain=form.explain,
    example_config={
        "criteria": [
            {
                "id": "helpfulness",
                "label": "Helpfulness",
                "description": "How well the response meets the user's need.",
                "scale": {"min": 1, "max": 5, "anchors": {"1": "Not helpful", "5": "Very helpful"}},
            },
            {"id": "accuracy", "label": "Accuracy", "scale": {"min": 1, "max": 5, "level": "ordinal"}},
        ],
        "rationale": "optional",
        "abstain_reasons": ["Outside my expertise"],
    },
    config_checks=schema.config_checks,
    preference=hooks.preference,
    pairs=hooks.pairs,
    questions=hooks.questions,
    votes=hooks.votes,
    gold_schema=schema.gold_schema,
    gold_match=hooks.gold_match,
    formats=("rubric", "raw"),
    min_active_seconds=20,
    export_hint="for preference pairs from rubric scores use --format rubric --binarize",
)
