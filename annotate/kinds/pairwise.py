"""Pairwise preference: which of two responses is better, or a tie."""

from __future__ import annotations

from annotate.kinds.base import Answers, Config, Kind

CONFIG_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "allow_tie": {"type": "boolean", "default": True},
        "rationale": {"enum": ["off", "optional", "required"], "default": "optional"},
        "rationale_min_length": {"type": "integer", "minimum": 0, "default": 0},
        "keys": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "a": {"type": "string", "minLength": 1, "maxLength": 1},
                "b": {"type": "string", "minLength": 1, "maxLength": 1},
                "tie": {"type": "string", "minLength": 1, "maxLength": 1},
            },
        },
    },
}

DEFAULT_KEYS = {"a": "1", "b": "2", "tie": "3"}
RATIONALE_MAX = 20_000


def answer_schema(config: Config, response_ids: list[str]) -> dict:
    """Answers name the preferred response by id (never by position), or "tie"."""
    choices = list(response_ids) + (["tie"] if config.get("allow_tie", True) else [])
    properties: dict = {"preferred": {"enum": choices}}
    required = ["preferred"]
    rationale = config.get("rationale", "optional")
    if rationale != "off":
        properties["rationale"] = {
            "type": "string",
            "maxLength": RATIONALE_MAX,
            "minLength": config.get("rationale_min_length", 0) if rationale == "required" else 0,
        }
        if rationale == "required":
            required.append("rationale")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "additionalProperties": False,
        "required": required,
        "properties": properties,
    }


def preference(answers: Answers) -> str | None:
    return answers.get("preferred")


def keys(config: Config) -> dict[str, str]:
    """The template's keyboard keys, filled in with the defaults."""
    return {**DEFAULT_KEYS, **config.get("keys", {})}


def from_form(config: Config, response_ids: list[str], form) -> Answers:
    """Answers from the task form; empty fields are left out so the schema can name what is missing."""
    answers: Answers = {}
    if form.get("preferred"):
        answers["preferred"] = form["preferred"]
    rationale = (form.get("rationale") or "").strip()
    if config.get("rationale", "optional") != "off" and (rationale or config.get("rationale") == "required"):
        answers["rationale"] = rationale
    return answers


PAIRWISE = Kind(
    name="pairwise",
    title="Pairwise preference",
    config_schema=CONFIG_SCHEMA,
    answer_schema=answer_schema,
    partial="kinds/_pairwise.html",
    min_responses=2,
    max_responses=2,
    preference=preference,
    from_form=from_form,
    keys=keys,
)
