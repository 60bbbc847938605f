"""The canonical shape and the shapes that are not labelled pairs: prompt + ``responses``
list (k-wise), prompt + single ``response``, AlpacaEval-style ``instruction`` + ``output``,
and chat ``messages`` ending with the reply to judge."""

from __future__ import annotations

from annotate.ingest.errors import RowError
from annotate.ingest.shapes.common import Item, Row, external_id, maybe_json, messages, rest
from annotate.validation import describe

CANONICAL_KEYS = {"id", "prompt", "responses", "metadata", "suggestion", "gold"}


def is_canonical(row: Row) -> bool:
    return "responses" in row and "prompt" in row


def canonical(row: Row) -> Item:
    """Canonical items, and prompt + ``responses`` rows whose responses are plain strings."""
    item: Item = {"prompt": messages(row["prompt"], "prompt")}
    responses = maybe_json(row.get("responses"))
    if isinstance(responses, list):
        if not all(type(r) is dict for r in responses):
            responses = [
                r if isinstance(r, dict) else {"id": f"r{i + 1}", "content": r} for i, r in enumerate(responses)
            ]
        models = maybe_json(row["models"]) if "models" in row else None
        if isinstance(models, list) and len(models) == len(responses):
            responses = [{**r, "model": m} if "model" not in r else r for r, m in zip(responses, models, strict=True)]
    item["responses"] = responses
    metadata = maybe_json(row.get("metadata", {}))  # a CSV cell holds it as JSON text
    extra = [k for k in row if k not in CANONICAL_KEYS and k != "models"]
    if extra and isinstance(metadata, dict):
        metadata = {**metadata, **{k: row[k] for k in sorted(extra)}}
    item["metadata"] = metadata
    for key in ("suggestion", "gold"):
        if key in row:
            item[key] = maybe_json(row[key]) if isinstance(row[key], str) else row[key]
    ident = row.get("id")
    if ident is None or ident == "":
        listed = responses if isinstance(responses, list) else []
        ident = external_id(None, item["prompt"], [r if isinstance(r, dict) else {"content": r} for r in listed])
    item["id"] = external_id(ident, item["prompt"], [])
    return item


def is_prompt_response(row: Row) -> bool:
    return "prompt" in row and ("response" in row or "completion" in row)


def prompt_response(row: Row) -> Item:
    """One response to judge alone (critique, rubric): ``prompt`` + ``response`` (or ``completion``)."""
    key = "response" if "response" in row else "completion"
    return _single(row, messages(row["prompt"], "prompt"), row[key], key, {"prompt", key})


def is_instruction_output(row: Row) -> bool:
    return "instruction" in row and "output" in row


def instruction_output(row: Row) -> Item:
    """AlpacaEval model outputs: ``instruction``, ``output`` and its ``generator``."""
    prompt = messages(row["instruction"], "instruction")
    return _single(row, prompt, row["output"], "output", {"instruction", "output"}, model_key="generator")


def is_messages(row: Row) -> bool:
    return "messages" in row and "prompt" not in row


def chat_messages(row: Row) -> Item:
    """A chat transcript: everything before the last assistant message is the prompt."""
    turns = messages(row["messages"], "messages")
    last = turns[-1]
    if last.get("role") != "assistant":
        raise RowError(
            f"messages[{len(turns) - 1}].role",
            f"the last message must be the assistant's reply, got {last.get('role')!r}",
        )
    if len(turns) < 2:
        raise RowError("messages", "expected at least one message before the assistant's reply")
    return _single(
        row, turns[:-1], last["content"], f"messages[{len(turns) - 1}].content", {"messages"}, media=last.get("media")
    )


def _single(
    row: Row,
    prompt: list[dict],
    content: object,
    field: str,
    consumed: set[str],
    model_key: str = "model",
    media: object = None,
) -> Item:
    if not isinstance(content, str):
        raise RowError(field, f"expected a string, got {describe(content)}")
    response: dict = {"id": "r1", "content": content}
    model = row.get(model_key)
    if model is not None:
        response["model"] = str(model)
    if media:
        response["media"] = media
    responses = [response]
    return {
        "id": external_id(row.get("id"), prompt, responses),
        "prompt": prompt,
        "responses": responses,
        "metadata": rest(row, consumed | {"id", model_key}),
    }


def is_prompt_only(row: Row) -> bool:
    return "prompt" in row and not {"response", "completion", "responses", "chosen", "rejected"} & row.keys()


def prompt_only(row: Row) -> Item:
    """A prompt with no response to judge (a demonstration's), or with a model ``draft``
    (and ``draft_model``) the expert may start from: the draft is the item's one response."""
    prompt = messages(row["prompt"], "prompt")
    responses: list[dict] = []
    draft = row.get("draft")
    if draft is not None and draft != "":
        if not isinstance(draft, str):
            raise RowError("draft", f"expected a string, got {describe(draft)}")
        response: dict = {"id": "draft", "content": draft}
        if row.get("draft_model") not in (None, ""):
            response["model"] = str(row["draft_model"])
        responses.append(response)
    return {
        "id": external_id(row.get("id"), prompt, responses),
        "prompt": prompt,
        "responses": responses,
        "metadata": rest(row, {"id", "prompt", "draft", "draft_model"}),
    }
