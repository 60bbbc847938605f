"""Fixtures for the security tests: signed-in clients, and replaying a saved session cookie."""

from __future__ import annotations

import pytest
from helpers import Browserless


@pytest.fixture
def signed_in(app):
    def sign_in(user) -> Browserless:
        web = Browserless(app.test_client())
        web.login(user.email)
        return web

    return sign_in


@pytest.fixture
def replay(app):
    """A fresh client (another browser, an attacker) that sends a saved session cookie value."""

    def send(cookie: str, url: str = "/"):
        client = app.test_client()
        client.set_cookie(app.config.get("SESSION_COOKIE_NAME", "session"), cookie)
        return client.get(url)

    return send
