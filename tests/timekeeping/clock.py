"""Constants and helpers of the timekeeping tests (importable as ``timekeeping.clock``)."""

from __future__ import annotations

from datetime import UTC, datetime

from helpers import Browserless

from annotate.timekeeping.settings import TimeSettings

# A Monday, so weeks and months start where a reader expects.
T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
SETTINGS = TimeSettings(heartbeat=15, idle_gap=60, currency="USD", pasted_share=0.5, pasted_min_chars=40)


def post_beat(web: Browserless, body: dict):
    """A heartbeat as the page sends it: JSON, with the CSRF token in the header."""
    return web.client.post("/heartbeats", json=body, headers={"X-CSRFToken": web.token, "Accept": "application/json"})
