"""Pairwise preference: which of two responses is better, a tie, or both bad; with an
optional strength scale, per-criterion verdicts, a rationale and structured abstention.

The folder: ``schema.py`` (config, answer and gold schemas, checks, keys), ``form.py``
(the form post, the expert's wording), ``hooks.py`` (pairs, choice, votes, gold match),
``templates/_pairwise.html`` and ``static/pairwise.css``.
"""

from __future__ import annotations

from pathlib import Path

from annotate.kinds.base import Kind
from annotate.kinds.pairwise import form, hooks, schema
from annotate.kinds.pairwise.hooks import preference, strength
from annotate.kinds.pairwise.schema import CONFIG_SCHEMA, ID_SCHEMA, answer_schema

__all__ = ["CONFIG_SCHEMA", "ID_SCHEMA", "KIND", "answer_schema", "preference", "strength"]

KIND = Kind(
    name="pairwise",
    title="Pairwise preference",
    config_schema=CONFIG_SCHEMA,
    answer_schema=answer_schema,
    folder=Path(__file__).parent,
    min_responses=2,
    max_responses=2,
    scripts=("pairwise.js",),
    styles=("pairwise.css",),
    from_form=form.from_form,
    keys=schema.keys,
    key_labels={
        "a": "Prefer response A",
        "b": "Prefer response B",
        "tie": "Tie",
        "both_bad": "Both responses are bad",
        "diff": "Switch between side-by-side and diff view",
    },
    explain=form.explain,
    example_config={
        "allow_tie": True,
        "allow_both_bad": True,
        "strength": {"labels": ["slightly better", "better", "much better"]},
        "rationale": "optional",
        "abstain_reasons": ["Outside my expertise", "The prompt is unclear or broken"],
    },
    extra_checks=schema.extra_checks,
    config_checks=schema.config_checks,
    preference=hooks.preference,
    pairs=hooks.pairs,
    questions=hooks.questions,
    votes=hooks.votes,
    gold_schema=schema.gold_schema,
    gold_match=hooks.gold_match,
    choice=hooks.choice,
    verdict_key="preferred",
    formats=("trl", "trl-standard", "trl-kto", "reward", "hh-rlhf", "battles", "raw"),
)
