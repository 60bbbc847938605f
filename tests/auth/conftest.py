"""Fixtures for the auth tests: signed-in clients for several people at once."""

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
