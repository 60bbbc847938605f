"""k-wise ranking: k >= 2 responses ordered best to worst, in tiers when ties are allowed.

The answer is ``{"ranking": [["r2"], ["r1", "r3"]], "rationale": …}``: tiers best first,
each a list of response ids; every id exactly once.

The folder: ``schema.py`` (config, answer and gold schemas, checks, keys), ``form.py`` (the
form post, the partial's helpers, the expert's wording), ``hooks.py`` (pairs, votes, gold
match), ``templates/_ranking.html``, ``static/ranking.js`` and ``static/ranking.css``.
"""

from __future__ import annotations

from pathlib import Path

from annotate.kinds.base import Kind
from annotate.kinds.common import ranks_of
from annotate.kinds.ranking import form, hooks, schema
from annotate.kinds.ranking.form import ranks
from annotate.kinds.ranking.schema import CONFIG_SCHEMA, MAX_RESPONSES, answer_schema

__all__ = ["CONFIG_SCHEMA", "KIND", "MAX_RESPONSES", "answer_schema", "ranks", "ranks_of"]

KIND = Kind(
    name="ranking",
    title="k-wise ranking",
    config_schema=CONFIG_SCHEMA,
    answer_schema=answer_schema,
    folder=Path(__file__).parent,
    min_responses=2,
    max_responses=MAX_RESPONSES,
    scripts=("ranking.js",),
    styles=("ranking.css",),
    helpers={"ranking_ranks": form.ranking_ranks, "ranking_order": form.ranking_order},
    from_form=form.from_form,
    keys=schema.keys,
    key_labels={
        "move_up": "Move the focused response up",
        "move_down": "Move the focused response down",
        "focus_next": "Focus the next response",
        "focus_previous": "Focus the previous response",
    },
    explain=form.explain,
    anchor=form.anchor,
    example_config={
        "allow_ties": True,
        "rationale": "optional",
        "abstain_reasons": ["Outside my expertise", "The prompt is unclear or broken"],
    },
    extra_checks=schema.extra_checks,
    content_checks=schema.content_checks,
    config_checks=schema.config_checks,
    preference=hooks.preference,
    pairs=hooks.pairs,
    questions=hooks.questions,
    votes=hooks.votes,
    gold_schema=schema.gold_schema,
    gold_match=hooks.gold_match,
    formats=("ranking", "raw"),
    min_active_seconds=20,
    export_hint="for preference pairs from rankings use --format ranking --pairs",
)
