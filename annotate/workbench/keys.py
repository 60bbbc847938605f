"""Keyboard shortcuts of the task page: the kind's keys (from its template) plus the workbench's own."""

from __future__ import annotations

from dataclasses import dataclass

# Workbench actions and the keys they try, in order: the first one the kind does not use wins,
# so a template that binds e.g. "i" to a kind action still gets a working instructions key.
WORKBENCH_ACTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "help": ("Show or hide these shortcuts", ("?",)),
    "instructions": ("Show or hide the instructions", ("i", "I", "g")),
    "skip": ("Skip this task (asks for a reason)", ("x", "X", "k")),
}


@dataclass(frozen=True)
class Shortcut:
    action: str
    key: str
    label: str


def humanize(action: str) -> str:
    """A kind's action name as a label: ``both_bad`` -> ``Both bad``; single letters name responses."""
    if len(action) == 1 and action.isalpha():
        return f"Response {action.upper()}"
    return action.replace("_", " ").replace("-", " ").capitalize()


# The review page's own actions (its kind keys work inside "Fix and accept" once it is open).
REVIEW_ACTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "help": ("Show or hide these shortcuts", ("?",)),
    "comment": ("Write the comment to the expert", ("m", "M", "o")),
    "accept": ("Accept the judgment", ("a", "A", "y")),
    "reject": ("Reject it and return it to the expert (with the comment)", ("r", "R", "u")),
    "fix": ("Open or close “Fix and accept”", ("f", "F", "v")),
}
# The adjudication page's own actions.
ADJUDICATION_ACTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "help": ("Show or hide these shortcuts", ("?",)),
    "skip": ("Give the item to another adjudicator (asks why)", ("x", "X", "k")),
}


def shortcuts(
    kind_keys: dict[str, str],
    actions: dict[str, tuple[str, tuple[str, ...]]] = WORKBENCH_ACTIONS,
    submit: str = "Submit the answer (⌘+Enter on a Mac)",
) -> tuple[dict[str, str], list[Shortcut]]:
    """(page action -> key, every shortcut for the help overlay, kind keys first). The same
    for the task, review and adjudication pages: ``actions`` are the page's own."""
    taken = set(kind_keys.values())
    own: dict[str, str] = {}
    for action, (_label, candidates) in actions.items():
        key = next((k for k in candidates if k not in taken), "")
        own[action] = key
        taken.add(key)
    listed = [Shortcut(action, key, humanize(action)) for action, key in kind_keys.items()]
    listed += [Shortcut(action, key, actions[action][0]) for action, key in own.items() if key]
    if submit:
        listed.append(Shortcut("submit", "Ctrl+Enter", submit))
    listed.append(Shortcut("close", "Escape", "Close the open panel"))
    return own, listed
