"""Demonstration: the expert writes the ideal next assistant message for a prompt (one or many
turns), in Markdown with a live, sanitised preview, optionally starting from a model draft;
a minimum length and an optional checklist. Supervised fine-tuning data (export ``sft``).

The folder: ``schema.py`` (config, answer and gold schemas, checks, keys), ``form.py`` (the
form post, the editor's text, the expert's wording), ``hooks.py`` (the draft's edit distance,
questions, votes, gold match), ``templates/_demonstration.html``, ``static/demonstration.js``
and ``static/demonstration.css``.
"""

from __future__ import annotations

from pathlib import Path

from annotate.kinds.base import Kind
from annotate.kinds.demonstration import form, hooks, schema
from annotate.kinds.demonstration.schema import CONFIG_SCHEMA, answer_schema

__all__ = ["CONFIG_SCHEMA", "KIND", "answer_schema"]

KIND = Kind(
    name="demonstration",
    title="Demonstration (write the ideal reply)",
    config_schema=CONFIG_SCHEMA,
    answer_schema=answer_schema,
    folder=Path(__file__).parent,
    # No response, or one: the model draft the template may show.
    min_responses=0,
    max_responses=1,
    scripts=("demonstration.js",),
    styles=("demonstration.css",),
    helpers={"editor_text": form.editor_text, "draft_policy": schema.policy},
    shown_responses=lambda config, responses: responses if config.get("draft", "never") != "never" else [],
    from_form=form.from_form,
    keys=schema.keys,
    key_labels={
        "focus_editor": "Write in the editor",
        "preview": "Show or hide the preview",
        "use_draft": "Start from the model draft",
    },
    explain=form.explain,
    example_config={
        "min_length": 200,
        "draft": "on_request",
        "checklist": [
            {"id": "correct", "label": "Every fact and number is right"},
            {"id": "complete", "label": "It answers every part of the request"},
        ],
        "abstain_reasons": ["Outside my expertise"],
    },
    complete=hooks.complete,
    extra_checks=schema.extra_checks,
    config_checks=schema.config_checks,
    questions=hooks.questions,
    votes=hooks.votes,
    gold_schema=schema.gold_schema,
    gold_match=hooks.gold_match,
    formats=("sft", "raw"),
    export_hint="a demonstration is no preference: use --format sft (or raw)",
    min_active_seconds=60,
)
