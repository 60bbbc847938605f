"""Conversations as the formats write them: message lists, plain-text prompts, HH transcripts."""

from __future__ import annotations

from typing import Any

Messages = list[dict[str, str]]

ROLE_NAMES = {"system": "System", "user": "User", "assistant": "Assistant", "tool": "Tool"}
HH_ROLES = {"user": "Human", "assistant": "Assistant", "system": "Human", "tool": "Human"}


def prompt_messages(prompt: list[dict[str, Any]]) -> Messages:
    """The prompt as ``{"role", "content"}`` messages (other message keys are not part of TRL's shape)."""
    return [m if len(m) == 2 else {"role": m["role"], "content": m["content"]} for m in prompt]


def reply(content: str) -> Messages:
    return [{"role": "assistant", "content": content}]


def response_model(responses: list[dict[str, Any]], response_id: str) -> str:
    """The response's model name, or "" when the source gave none (a string in every row)."""
    for response in responses:
        if response["id"] == response_id:
            return str(response.get("model") or "")
    raise KeyError(response_id)


def standard_prompt(prompt: list[dict[str, Any]]) -> str:
    """The plain-text prompt of ``trl-standard``.

    A prompt that is one user message is that message's text, unchanged. Any
    other conversation is rendered turn by turn as ``"<Role>: <content>"``
    (System, User, Assistant, Tool) joined by blank lines, and ends with
    ``"\\n\\nAssistant:"`` so that prompt + " " + completion reads as a transcript.
    """
    if len(prompt) == 1 and prompt[0]["role"] == "user":
        return prompt[0]["content"]
    turns = [f"{ROLE_NAMES.get(m['role'], m['role'].title())}: {m['content']}" for m in prompt]
    return "\n\n".join(turns) + "\n\nAssistant:"


def hh_transcript(prompt: list[dict[str, Any]], completion: str) -> str:
    """Anthropic HH-RLHF transcript: ``"\\n\\nHuman: …\\n\\nAssistant: …"``, ending with the completion.

    HH has only two speakers: system and tool messages are written as Human turns.
    """
    parts = [f"\n\n{HH_ROLES.get(m['role'], 'Human')}: {m['content']}" for m in prompt]
    parts.append(f"\n\nAssistant: {completion}")
    return "".join(parts)
