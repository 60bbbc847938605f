"""The timekeeping settings (``ANNOTATE_HEARTBEAT_SECONDS`` and the rest, declared in
``annotate.config.defaults``), checked once at start-up and read as one value."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

CURRENCY = re.compile(r"^[A-Z]{3}$")
# The defaults, for code that runs outside an app (a bare service call in a script).
DEFAULTS: dict[str, Any] = {
    "HEARTBEAT_SECONDS": 15,
    "IDLE_GAP_SECONDS": 60,
    "PAY_CURRENCY": "USD",
    "FLAG_PASTED_SHARE": 0.5,
    "FLAG_PASTED_MIN_CHARS": 40,
}


@dataclass(frozen=True)
class TimeSettings:
    heartbeat: float  # seconds between heartbeats while someone works
    idle_gap: float  # seconds of silence that close an interval
    currency: str  # ISO 4217 code of every amount
    pasted_share: float  # mostly_pasted: pasted or dropped share of the entered text above this
    pasted_min_chars: int  # ... and at least this many characters pasted or dropped


def _number(config: Mapping[str, Any], name: str) -> float:
    value = config[name]
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ValueError(f"ANNOTATE_{name} must be a positive number of seconds, not {value!r}")
    return float(value)


def check(config: Mapping[str, Any]) -> None:
    """Raise ValueError naming the setting when a timekeeping setting cannot be used."""
    beat, gap = _number(config, "HEARTBEAT_SECONDS"), _number(config, "IDLE_GAP_SECONDS")
    if gap < 2 * beat:
        raise ValueError(
            f"ANNOTATE_IDLE_GAP_SECONDS ({gap:g}) must be at least twice ANNOTATE_HEARTBEAT_SECONDS ({beat:g}): "
            "otherwise steady work would look idle between two heartbeats"
        )
    currency = config["PAY_CURRENCY"]
    if not isinstance(currency, str) or not CURRENCY.match(currency):
        raise ValueError(
            f"ANNOTATE_PAY_CURRENCY must be a three-letter ISO 4217 code such as USD or EUR, not {currency!r}"
        )
    share = config["FLAG_PASTED_SHARE"]
    if isinstance(share, bool) or not isinstance(share, int | float) or not 0 < share <= 1:
        raise ValueError(f"ANNOTATE_FLAG_PASTED_SHARE must be a share above 0 and at most 1, not {share!r}")
    least = config["FLAG_PASTED_MIN_CHARS"]
    if isinstance(least, bool) or not isinstance(least, int) or least < 0:
        raise ValueError(f"ANNOTATE_FLAG_PASTED_MIN_CHARS must be a whole number of characters, not {least!r}")


def of(config: Mapping[str, Any]) -> TimeSettings:
    """The settings of an app's config (checked at start-up by ``check``)."""
    return TimeSettings(
        heartbeat=float(config["HEARTBEAT_SECONDS"]),
        idle_gap=float(config["IDLE_GAP_SECONDS"]),
        currency=config["PAY_CURRENCY"],
        pasted_share=float(config["FLAG_PASTED_SHARE"]),
        pasted_min_chars=int(config["FLAG_PASTED_MIN_CHARS"]),
    )


def current() -> TimeSettings:
    """The running app's settings; the defaults outside an app (a script calling a service)."""
    from flask import current_app, has_app_context

    return of(current_app.config if has_app_context() else DEFAULTS)
