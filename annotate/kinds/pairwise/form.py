"""Pairwise: the plain form post read as answers, and answer problems in the expert's words."""

from __future__ import annotations

from typing import Any

from annotate.kinds import common
from annotate.kinds.base import Answers, Config
from annotate.kinds.messages import letters_list


def from_form(config: Config, response_ids: list[str], form: Any) -> Answers:
    """Answers from the task form; empty fields are left out so the schema can name what is missing."""
    abstain = common.abstain_from_form(config, form)
    if abstain is not None:
        return abstain
    answers: Answers = {}
    if form.get("preferred"):
        answers["preferred"] = form["preferred"]
    if config.get("strength") and form.get("strength") and answers.get("preferred") != "tie":
        answers["strength"] = form["strength"]
    if config.get("allow_both_bad") and form.get("both_bad"):
        answers["both_bad"] = True
    if config.get("criteria"):
        answers["criteria"] = {
            c["id"]: form.get(f"criterion-{c['id']}") for c in config["criteria"] if form.get(f"criterion-{c['id']}")
        }
    common.rationale_from_form(config, form, answers)
    return answers


def explain(config: Config, path: str, rule: str, names: dict[str, str]) -> str | None:
    """The pairwise fields' problems in the expert's words."""
    letters = list(names.values())
    choices = letters_list(names) if len(letters) > 2 else " or ".join(letters)
    with_tie = config.get("allow_tie", True) or config.get("allow_both_bad", False)
    if path == "preferred":
        if rule == "invalid" and not config.get("allow_tie", True):
            return f"A tie is allowed here only when both responses are bad: choose {choices}, or tick “Both are bad”."
        return f"Choose {', '.join(letters)} or Tie." if with_tie else f"Choose {choices}."
    if path == "strength":
        return "Say how much better the response you chose is."
    if path.startswith("criteria."):
        label = common.criterion_label(config, path.split(".", 1)[1])
        return f"Choose {', '.join(letters)} or Tie for “{label}”."
    return common.shared_explain(config, path, rule, names)
