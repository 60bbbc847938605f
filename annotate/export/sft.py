"""``sft``: supervised fine-tuning data from demonstrations, in TRL's conversational forms, so
``SFTTrainer`` takes the file as it is:

- language modelling (the default): ``messages``, the prompt's messages followed by the expert's
  reply as the last ``assistant`` message;
- ``--prompt-completion``: ``prompt`` (the prompt's messages) and ``completion`` (one
  ``assistant`` message, the reply), so the loss is taken on the completion only.

It reads answers of the demonstration kind's shape, ``{"text": …, "draft": {…}}``: a kind that
lists this format (``Kind.formats``) answers in that shape. One row per judgment (each expert's
demonstration is one example): rejected judgments and abstentions are left out, as the
filters say. Besides TRL's columns, ``id`` and ``expert`` say where a row comes from, and, when
the template shows a model draft, ``started_from_draft``, ``draft_edit_distance`` (Levenshtein,
in characters) and ``draft_similarity`` (0..1) say how far the expert moved from it; SFTTrainer
ignores columns it does not use.
"""

from __future__ import annotations

from collections.abc import Iterator

import orjson

from annotate.export.base import ExportContext, ExportFormat, Record
from annotate.export.messages import reply
from annotate.export.selection import complete_groups, is_abstain, pseudonym


def records(ctx: ExportContext) -> Iterator[Record]:
    summary = ctx.summary
    drafted = ctx.config.get("draft", "never") != "never"
    split = ctx.options.prompt_completion
    for group in complete_groups(ctx):
        item = group.item
        prompt = item.prompt_messages  # serialised once per item
        emitted = 0
        for row in group.judgments:
            if is_abstain(row.answers):
                summary.abstains += 1
                continue
            text = row.answers.get("text")
            if not isinstance(text, str) or not text.strip():
                summary.leave_out("judgment: no demonstration text")
                continue
            summary.judgments_used += 1
            summary.experts.add(row.expert_id)
            record: Record = {"id": item.external_id, "expert": pseudonym(ctx, row)}
            if split:
                record["prompt"] = prompt
                record["completion"] = reply(text)
            else:
                # The prompt's messages as serialised once per item (never empty), then the reply.
                last = orjson.dumps(reply(text)[0])
                record["messages"] = orjson.Fragment(orjson.dumps(prompt)[:-1] + b"," + last + b"]")
            if drafted:
                draft = row.answers.get("draft") or {}
                record["started_from_draft"] = bool(draft.get("started_from"))
                record["draft_edit_distance"] = draft.get("distance")
                record["draft_similarity"] = draft.get("similarity")
            emitted += 1
            yield record
        if emitted:
            summary.items += 1


SFT = ExportFormat(
    name="sft",
    description=(
        "Demonstrations for supervised fine-tuning, in TRL's conversational messages form "
        "(or prompt/completion with --prompt-completion): SFTTrainer takes the file as it is."
    ),
    schema="sft",
    records=records,
    takes=("prompt_completion",),
    units=("judgment",),
    default_unit="judgment",
    tags=("sft", "human-feedback", "demonstrations"),
)
