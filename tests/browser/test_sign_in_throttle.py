"""Throttled sign-in in Chromium: the refusal and the wait show next to the form, through a plain
form post and through an htmx request (htmx swaps a 429, and no other 4xx)."""

from __future__ import annotations

import pytest
from helpers import PASSWORD

pytestmark = pytest.mark.browser


def _try(page, email: str, password: str) -> None:
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", password)
    with page.expect_navigation():
        page.press("#password", "Enter")


def test_the_wait_is_shown_next_to_the_form(app, page, make_user):
    app.config.update(LOGIN_LIMIT_ACCOUNT="3 per 15 minutes")
    expert = make_user("expert")
    for i in range(3):
        _try(page, expert.email, f"wrong-password-{i}")
        assert page.locator("#login-error").inner_text() == "Email or password is wrong."
    _try(page, expert.email, PASSWORD)
    error = page.locator("#login-error")
    assert "Too many failed sign-ins for this account. Try again in 15 minutes." in error.inner_text()
    assert page.locator("#email").get_attribute("aria-describedby") == "login-error"
    assert page.url.endswith("/login")

    # The same refusal through htmx (a script, or a form that htmx submits) is swapped in, not dropped.
    page.goto("/login")
    page.fill("#email", expert.email)
    page.fill("#password", PASSWORD)
    page.evaluate(
        """() => new Promise((done) => {
            document.body.addEventListener("htmx:afterSwap", () => done(), {once: true});
            setTimeout(done, 5000);  // an unswapped answer fires no afterSwap: fail below, do not hang
            htmx.ajax("POST", "/login", {source: document.querySelector("form"), target: "#main", swap: "innerHTML"});
        })"""
    )
    assert "Too many failed sign-ins for this account" in page.locator("#main #login-error").inner_text()
    assert page.dialogs == []
