"""Pairwise preference shapes: TRL (explicit and implicit prompt), HH-RLHF transcripts and
AlpacaEval judge rows. A dataset's original label never decides a response id."""

from __future__ import annotations

import re

from annotate.ingest.errors import RowError
from annotate.ingest.shapes.common import Item, Row, completion, external_id, maybe_json, messages, pair, rest
from annotate.validation import describe

HH_TURN = re.compile(r"\n\n(Human|Assistant): ")
HH_ROLES = {"Human": "user", "Assistant": "assistant"}
ALPACA_KEYS = {"instruction", "output_1", "output_2"}


# -- TRL, explicit prompt ------------------------------------------------------------


def is_trl(row: Row) -> bool:
    return {"prompt", "chosen", "rejected"} <= row.keys()


def trl(row: Row) -> Item:
    prompt = messages(row["prompt"], "prompt")
    return pair(
        row,
        prompt,
        completion(row["chosen"], "chosen"),
        completion(row["rejected"], "rejected"),
        {"prompt", "chosen", "rejected", "id"},
    )


# -- HH-RLHF transcripts -------------------------------------------------------------


def is_hh(row: Row) -> bool:
    chosen, rejected = row.get("chosen"), row.get("rejected")
    return "prompt" not in row and isinstance(chosen, str) and isinstance(rejected, str) and "\n\nAssistant:" in chosen


def parse_transcript(text: str, field: str) -> list[dict]:
    """Split ``"\\n\\nHuman: …\\n\\nAssistant: …"`` into role/content messages."""
    if not isinstance(text, str):
        raise RowError(field, f"expected a string, got {describe(text)}")
    parts = HH_TURN.split(text)
    # parts: [preamble, role, content, role, content, ...]
    if len(parts) < 3 or parts[0].strip():
        raise RowError(field, "expected a transcript starting with '\\n\\nHuman: '")
    return [
        {"role": HH_ROLES[role], "content": content} for role, content in zip(parts[1::2], parts[2::2], strict=True)
    ]


def hh(row: Row) -> Item:
    """Split the two transcripts at their longest common prefix that ends with a Human turn.

    Usually only the last Assistant turn differs. In a few rows of the real data one
    transcript goes on for more turns, or they diverge earlier: the first differing
    Assistant replies are what is compared, and any turns after them are kept in
    ``metadata.continuations`` so nothing is lost.
    """
    chosen = parse_transcript(row["chosen"], "chosen")
    rejected = parse_transcript(row["rejected"], "rejected")
    common = 0
    while common < min(len(chosen), len(rejected)) and chosen[common] == rejected[common]:
        common += 1
    while common > 0 and chosen[common - 1]["role"] != "user":
        common -= 1
    if common == 0:
        raise RowError("chosen", "the transcript has no Human turn before the Assistant reply")
    for field, turns in (("chosen", chosen), ("rejected", rejected)):
        if len(turns) <= common or turns[common]["role"] != "assistant":
            raise RowError(field, "the transcript must have an Assistant reply after the shared turns")
    item = pair(
        row, chosen[:common], chosen[common]["content"], rejected[common]["content"], {"chosen", "rejected", "id"}
    )
    extra = {"chosen": chosen[common + 1 :], "rejected": rejected[common + 1 :]}
    if any(extra.values()):
        label = item["metadata"]["original_label"]
        item["metadata"]["continuations"] = {label[k]: v for k, v in extra.items()}
    return item


# -- TRL, implicit prompt ---------------------------------------------------------------


def is_trl_implicit(row: Row) -> bool:
    return "prompt" not in row and {"chosen", "rejected"} <= row.keys()


def trl_implicit(row: Row) -> Item:
    """Conversational rows split at the longest common message prefix; plain strings at the
    longest common prefix that ends on whitespace (the prompt text both continue)."""
    chosen, rejected = maybe_json(row["chosen"]), maybe_json(row["rejected"])
    consumed = {"chosen", "rejected", "id"}
    if isinstance(chosen, list) and isinstance(rejected, list):
        chosen_m, rejected_m = messages(chosen, "chosen"), messages(rejected, "rejected")
        common = 0
        while common < min(len(chosen_m), len(rejected_m)) - 1 and chosen_m[common] == rejected_m[common]:
            common += 1
        if common == 0:
            raise RowError("rejected", "chosen and rejected share no leading messages, so there is no prompt")
        for field, turns in (("chosen", chosen_m), ("rejected", rejected_m)):
            if len(turns) != common + 1 or turns[-1]["role"] != "assistant":
                raise RowError(field, "expected the shared prompt followed by exactly one assistant message")
        return pair(row, chosen_m[:common], chosen_m[-1]["content"], rejected_m[-1]["content"], consumed)
    if isinstance(chosen, str) and isinstance(rejected, str):
        cut = 0
        for i, (a, b) in enumerate(zip(chosen, rejected, strict=False)):
            if a != b:
                break
            if a.isspace():
                cut = i + 1
        prompt_text = chosen[:cut].strip()
        if not prompt_text:
            raise RowError("rejected", "chosen and rejected share no leading text, so there is no prompt")
        return pair(row, [{"role": "user", "content": prompt_text}], chosen[cut:], rejected[cut:], consumed)
    field = "chosen" if not isinstance(chosen, (str, list)) else "rejected"
    raise RowError(field, f"expected a string or a list of messages, got {describe(row[field])}")


# -- AlpacaEval pairwise rows ------------------------------------------------------------


def is_alpaca_pairwise(row: Row) -> bool:
    return row.keys() >= ALPACA_KEYS


def alpaca_pairwise(row: Row) -> Item:
    """``output_1``/``output_2`` with their generators; the judge's ``preference`` (1 = first,
    2 = second, 1.5 = tie, fractions lean) becomes a machine *suggestion*, never a label."""
    prompt = messages(row["instruction"], "instruction")
    responses = []
    for n in (1, 2):
        content = row[f"output_{n}"]
        if not isinstance(content, str):
            raise RowError(f"output_{n}", f"expected a string, got {describe(content)}")
        model = row.get(f"generator_{n}")
        responses.append({"id": f"r{n}", "content": content, **({"model": str(model)} if model is not None else {})})
    consumed = {"instruction", "output_1", "output_2", "generator_1", "generator_2", "preference", "id"}
    item: Item = {"prompt": prompt, "responses": responses, "metadata": rest(row, consumed)}
    preference = maybe_json(row.get("preference"))
    if isinstance(preference, str) and preference.strip():
        try:
            preference = float(preference)
        except ValueError:
            raise RowError("preference", f"expected a number between 1 and 2, got {preference[:40]!r}") from None
    if preference is not None and preference != "":
        if isinstance(preference, bool) or not isinstance(preference, (int, float)) or not 1 <= preference <= 2:
            raise RowError("preference", f"expected a number between 1 and 2, got {describe(preference)}")
        preferred = "tie" if preference == 1.5 else ("r1" if preference < 1.5 else "r2")
        item["suggestion"] = {
            "preferred": preferred,
            "value": preference,
            "source": row.get("annotator") or "machine judge",
        }
    item["id"] = external_id(row.get("id"), prompt, responses)
    return item
