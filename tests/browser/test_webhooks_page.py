"""The webhooks page in Chromium: a refused endpoint is named next to the URL field, with
JavaScript on (htmx swaps the form) and off (the whole page); a registered one shows its secret once."""

from __future__ import annotations

import ipaddress

import pytest
from helpers import PASSWORD, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def hooks_project(app, make_user, make_project):
    app.config["WEBHOOKS_ALLOWED"] = [ipaddress.ip_network("127.0.0.1/32")]
    researcher = make_user("researcher", email="hooks@example.org")
    make_project("hooked", members=[(researcher, "researcher")])


def test_a_private_target_is_refused_next_to_the_field_and_a_good_one_shows_its_secret(page, hooks_project):
    sign_in(page, "hooks@example.org", PASSWORD)
    page.goto("/p/hooked/settings/webhooks")
    page.fill("#url", "http://169.254.169.254/latest/meta-data/")
    page.click("button:has-text('Add endpoint')")
    error = page.locator("#webhook-error")
    error.wait_for()
    assert "link-local" in error.inner_text()
    assert page.locator("#url").get_attribute("aria-invalid") == "true"
    assert page.locator("#url").input_value() == "http://169.254.169.254/latest/meta-data/"  # kept to correct
    page.fill("#url", "http://127.0.0.1:9/hook")
    page.click("button:has-text('Add endpoint')")
    secret = page.locator("#webhook-secret input")
    secret.wait_for()
    assert secret.input_value().startswith("whsec_")
    page.reload()
    assert page.locator("#webhook-secret").count() == 0
    assert "http://127.0.0.1:9/hook" in page.inner_text("#webhooks")
    assert page.dialogs == []


def test_the_refusal_is_shown_without_javascript(browser, live_server, hooks_project):
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, "hooks@example.org", PASSWORD)
        page.goto("/p/hooked/settings/webhooks")
        page.fill("#url", "http://10.1.2.3/hook")
        page.click("button:has-text('Add endpoint')")
        page.wait_for_load_state()
        assert "private address" in page.inner_text("#webhook-error")
    finally:
        context.close()
