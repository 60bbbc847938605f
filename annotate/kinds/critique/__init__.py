"""Critique: for one response (or each), a written critique, labelled error spans, a
rewrite shown as a diff against the original, and an optional overall score.

The folder: ``schema.py`` (config, answer and gold schemas, checks, keys), ``form.py`` (the
form post, the partial's helpers, the expert's wording), ``hooks.py`` (votes, gold match),
``templates/_critique.html`` and ``_rewrite_diff.html``, ``static/critique.js`` and
``static/critique.css``.
"""

from __future__ import annotations

from pathlib import Path

from annotate.kinds.base import Kind
from annotate.kinds.critique import form, hooks, schema
from annotate.kinds.critique.form import content_digest
from annotate.kinds.critique.schema import CONFIG_SCHEMA, answer_schema

__all__ = ["CONFIG_SCHEMA", "KIND", "answer_schema", "content_digest"]

KIND = Kind(
    name="critique",
    title="Critique and rewrite",
    config_schema=CONFIG_SCHEMA,
    answer_schema=answer_schema,
    folder=Path(__file__).parent,
    min_responses=1,
    max_responses=None,
    scripts=("critique.js",),
    styles=("critique.css",),
    helpers={"critique_entry": form.critique_entry, "content_digest": form.content_digest},
    from_form=form.from_form,
    keys=schema.keys,
    key_labels={
        "add_span": "Mark the selected text as an error span",
        "focus_critique": "Write the critique",
        "focus_rewrite": "Edit the rewrite",
        "next_response": "Go to the next response",
    },
    explain=form.explain,
    example_config={
        "critique_min_length": 20,
        "span_labels": ["Factual error", "Unsafe", "Unclear"],
        "rewrite": "optional",
        "score": {"min": 1, "max": 7, "label": "Overall quality", "anchors": {"1": "Unusable", "7": "Excellent"}},
        "abstain_reasons": ["Outside my expertise"],
    },
    extra_checks=schema.extra_checks,
    content_checks=schema.content_checks,
    config_checks=schema.config_checks,
    questions=hooks.questions,
    votes=hooks.votes,
    gold_schema=schema.gold_schema,
    gold_match=hooks.gold_match,
    formats=("critique", "raw"),
    min_active_seconds=30,
)
