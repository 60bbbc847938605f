"""Demonstration: the plain form post read as answers, and answer problems in the expert's words."""

from __future__ import annotations

from typing import Any

from annotate.kinds import common
from annotate.kinds.base import Answers, Config
from annotate.kinds.demonstration.schema import TEXT_MAX, checklist_ids, policy

# The task form's "show me the form again" button (JavaScript off): the page is shown again
# with what was typed, nothing is submitted. Its value says why.
REFRESH = "_refresh"


def from_form(config: Config, response_ids: list[str], form: Any) -> Answers:
    """``text`` (the editor), ``check-<id>`` (the checklist), and what the page knows of the
    draft: ``draft_shown`` (the expert opened it), ``draft_started`` (the editor started from
    it). The server fills in the rest of ``draft`` (annotate.kinds.demonstration.hooks.complete)."""
    abstain = common.abstain_from_form(config, form)
    if abstain is not None:
        return abstain
    answers: Answers = {"text": (form.get("text") or "").replace("\r\n", "\n")}
    ids = checklist_ids(config)
    if ids:
        answers["checklist"] = {cid: form.get(f"check-{cid}") == "1" for cid in ids}
    shown = policy(config, response_ids)
    if shown != "never":
        use_draft = form.get(REFRESH) == "use_draft"
        started = use_draft or form.get("draft_started") == "1"
        answers["draft"] = {
            "policy": shown,
            "shown": started or shown == "prefilled" or form.get("draft_shown") == "1",
            "started_from": started,
        }
    return answers


def explain(config: Config, path: str, rule: str, names: dict[str, str]) -> str | None:
    """A demonstration's problems in the expert's words."""
    if path == "text":
        minimum = config.get("min_length", 1)
        if rule == "invalid":
            return f"Shorten the reply to at most {config.get('max_length', TEXT_MAX)} characters."
        if rule == "missing":
            return "Write the reply: it is empty or only white space."
        return f"Write the reply: at least {minimum} characters." if minimum > 1 else "Write the reply."
    if path.startswith("checklist"):
        cid = path.split(".", 1)[1] if "." in path else ""
        label = next((c["label"] for c in config.get("checklist", []) if c["id"] == cid), None)
        return f"Tick “{label}” once your reply does it." if label else "Tick every point of the checklist."
    if path.startswith("draft"):
        return "The page lost track of the model draft; reload the task and submit again."
    return common.shared_explain(config, path, rule, names)


def editor_text(config: Config, answers: Answers, draft: str | None) -> str:
    """What the editor holds: the answer's text; else the draft when the template prefills it,
    or when the expert asked to start from it (JavaScript off)."""
    text = answers.get("text") or ""
    if text or draft is None:
        return text
    started = (answers.get("draft") or {}).get("started_from")
    if config.get("draft") == "prefilled" and not answers:
        return draft
    return draft if started else ""
