"""Hole 2: sign-in, set-password links, API tokens and invitations are throttled, per account and per
address, with the wait named next to the form, HTTP 429 and Retry-After, and a log event."""

from __future__ import annotations

import re
import secrets

import pytest
from helpers import PASSWORD, csrf_from

from annotate import create_app

WAIT_RE = re.compile(r"Try again in (\d+) (seconds?|minutes)\.")


def _attempt(client, email: str, password: str):
    csrf = csrf_from(client.get("/login").text)
    return client.post("/login", data={"email": email, "password": password, "csrf_token": csrf})


def _wait(response) -> int:
    """The wait the page names, in seconds; it must agree with Retry-After."""
    match = WAIT_RE.search(response.text)
    assert match, response.text
    retry_after = int(response.headers["Retry-After"])
    assert retry_after > 0
    named = int(match.group(1)) * (60 if match.group(2) == "minutes" else 1)
    assert abs(named - retry_after) <= 60
    return retry_after


def test_forty_wrong_passwords_then_the_right_one_is_refused(app, make_user, caplog):
    expert = make_user("expert")
    client = app.test_client()
    statuses = [_attempt(client, expert.email, f"wrong-{i}").status_code for i in range(40)]
    assert statuses[:10] == [401] * 10  # ANNOTATE_LOGIN_LIMIT_ACCOUNT: 10 per 15 minutes
    assert set(statuses[10:]) == {429}
    with caplog.at_level("WARNING", logger="annotate.throttle"):
        right = _attempt(client, expert.email, PASSWORD)
    assert right.status_code == 429
    assert "Too many failed sign-ins for this account" in right.text
    assert 14 * 60 < _wait(right) <= 15 * 60
    # Next to the form, and the email kept.
    assert 'id="login-error"' in right.text
    assert 'aria-describedby="login-error"' in right.text
    assert f'value="{expert.email}"' in right.text
    assert client.get_cookie("session") is None or "user_id" not in client.get("/").text
    assert "throttled login account" in caplog.text
    # Another browser from the same address is refused too; the account is throttled, not the cookie.
    assert _attempt(app.test_client(), expert.email, PASSWORD).status_code == 429


def test_an_htmx_request_gets_the_refusal_too(app, make_user):
    expert = make_user("expert")
    client = app.test_client()
    for i in range(10):
        _attempt(client, expert.email, f"wrong-{i}")
    csrf = csrf_from(client.get("/login").text)
    response = client.post(
        "/login",
        data={"email": expert.email, "password": PASSWORD, "csrf_token": csrf},
        headers={"HX-Request": "true", "HX-Boosted": "true"},
    )
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.text
    # htmx swaps a 429 (it swaps no other 4xx): the message shows with JavaScript on too.
    page = client.get("/login").text
    assert '{"code": "429", "swap": true, "error": false}' in page


def test_the_address_is_throttled_across_accounts(app, make_user):
    app.config.update(LOGIN_LIMIT_ACCOUNT="3 per minute", LOGIN_LIMIT_ADDRESS="5 per minute")
    first, second, third = make_user("expert"), make_user("expert"), make_user("expert")
    client = app.test_client()
    assert [_attempt(client, first.email, "nope-nope-1").status_code for _ in range(3)] == [401] * 3
    refused = _attempt(client, first.email, PASSWORD)
    assert refused.status_code == 429
    assert "for this account" in refused.text
    assert [_attempt(client, second.email, "nope-nope-2").status_code for _ in range(2)] == [401] * 2
    by_address = _attempt(client, second.email, PASSWORD)  # second's own limit is not reached
    assert by_address.status_code == 429
    assert "from your address" in by_address.text
    assert 0 < _wait(by_address) <= 60

    # From another address: the third account signs in; the first stays throttled (per account).
    def elsewhere():
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = "198.51.100.7"
        return client

    assert _attempt(elsewhere(), third.email, PASSWORD).status_code == 303
    assert _attempt(elsewhere(), first.email, PASSWORD).status_code == 429


def test_a_successful_sign_in_costs_nothing(app, make_user):
    app.config.update(LOGIN_LIMIT_ACCOUNT="2 per minute", LOGIN_LIMIT_ADDRESS="2 per minute")
    expert = make_user("expert")
    for _ in range(5):
        assert _attempt(app.test_client(), expert.email, PASSWORD).status_code == 303


def test_each_app_starts_with_fresh_counters(app, make_user, database_url):
    expert = make_user("expert")
    client = app.test_client()
    for i in range(10):
        _attempt(client, expert.email, f"wrong-{i}")
    assert _attempt(client, expert.email, PASSWORD).status_code == 429
    other = create_app({"ENV": "testing", "DATABASE_URL": database_url, "SECRET_KEY": secrets.token_urlsafe(32)})
    try:
        assert _attempt(other.test_client(), expert.email, PASSWORD).status_code == 303
    finally:
        from annotate import db

        with other.app_context():
            db.engine().dispose()


def test_unusable_set_password_links_are_throttled_per_address(app, make_user):
    app.config.update(LOGIN_LIMIT_ADDRESS="3 per minute")
    client = app.test_client()
    assert [client.get(f"/invite/guess-{i}").status_code for i in range(3)] == [410] * 3
    refused = client.get("/invite/guess-4")
    assert refused.status_code == 429
    assert "Too many attempts with set-password links from your address" in refused.text
    assert _wait(refused) <= 60
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "198.51.100.8"
    assert elsewhere.get("/invite/guess-5").status_code == 410


def test_unknown_api_tokens_are_throttled_per_address_and_good_ones_never(app, make_user, make_token, caplog):
    app.config.update(LOGIN_LIMIT_ADDRESS="3 per minute")
    good = make_token(make_user("researcher"))
    client = app.test_client()
    for i in range(3):
        bad = client.get("/api/v1/projects/x/stats", headers={"Authorization": f"Bearer ann_guess{i}"})
        assert bad.status_code == 401
        assert bad.get_json()["error"] == "the token is unknown"
    with caplog.at_level("WARNING", logger="annotate.throttle"):
        refused = client.get("/api/v1/projects/x/stats", headers={"Authorization": "Bearer ann_guess4"})
    assert refused.status_code == 429
    body = refused.get_json()
    assert "Too many requests with an unknown or refused API token from your address" in body["error"]
    assert body["retry_after"] == int(refused.headers["Retry-After"])
    assert "throttled token address" in caplog.text
    for _ in range(5):  # a valid token is not throttled
        assert client.get("/api/v1/projects/x/stats", headers={"Authorization": f"Bearer {good}"}).status_code == 404


def test_invitations_sent_are_throttled_per_inviter(app, make_user, make_project, signed_in):
    app.config.update(INVITE_LIMIT="2 per hour")
    researcher, admin = make_user("researcher"), make_user("admin")
    make_project("thr", members=[(researcher, "researcher")])
    web = signed_in(researcher)
    for i in range(2):
        assert web.post("/p/thr/members", {"email": f"inv{i}@example.org", "role": "expert"}).status_code == 200
    refused = web.post("/p/thr/members", {"email": "inv3@example.org", "role": "expert"})
    assert refused.status_code == 429
    assert "Too many invitations and set-password links sent by you" in refused.text
    assert 59 * 60 < _wait(refused) <= 3600
    assert "inv3@example.org" not in web.get("/p/thr/members").text  # nothing written
    boss = signed_in(admin)
    for i in range(2):
        assert boss.post("/admin/users", {"email": f"adm{i}@example.org", "role": "expert"}).status_code == 200
    assert boss.post("/admin/users", {"email": "adm3@example.org", "role": "expert"}).status_code == 429


@pytest.mark.parametrize("setting", ["LOGIN_LIMIT_ACCOUNT", "LOGIN_LIMIT_ADDRESS", "INVITE_LIMIT"])
def test_limits_are_settings_checked_at_start(setting):
    from annotate.config import ConfigError

    with pytest.raises(ConfigError, match=f"ANNOTATE_{setting} must read like"):
        create_app({"ENV": "testing", "SECRET_KEY": "x" * 40, "DATABASE_URL": "sqlite://", setting: "lots"})


def test_counts_are_shared_through_redis_when_configured(database_url, make_user, app):
    """Two apps (two workers, two hosts) on one Redis share the counts."""
    import redis

    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/13", socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    expert = make_user("expert", email=f"redis-{secrets.token_hex(6)}@example.org")
    config = {
        "ENV": "testing",
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_urlsafe(32),
        "RATELIMIT_STORAGE_URL": "redis://127.0.0.1:6379/13",
        "LOGIN_LIMIT_ADDRESS": "1000 per minute",
    }
    one, two = create_app(config), create_app(config)
    try:
        for i in range(10):
            assert _attempt(one.test_client(), expert.email, f"wrong-{i}").status_code == 401
        assert _attempt(two.test_client(), expert.email, PASSWORD).status_code == 429
    finally:
        from annotate import db

        for each in (one, two):
            with each.app_context():
                db.engine().dispose()


def test_an_unreachable_redis_falls_back_to_memory(database_url, make_user, app, caplog):
    expert = make_user("expert")
    other = create_app(
        {
            "ENV": "testing",
            "DATABASE_URL": database_url,
            "SECRET_KEY": secrets.token_urlsafe(32),
            "RATELIMIT_STORAGE_URL": "redis://127.0.0.1:1/0",
        }
    )
    try:
        client = other.test_client()
        with caplog.at_level("ERROR", logger="annotate.throttle"):
            assert _attempt(client, expert.email, PASSWORD).status_code == 303
        assert "throttling storage unreachable" in caplog.text
        for i in range(10):
            assert _attempt(other.test_client(), expert.email, f"wrong-{i}").status_code == 401
        assert _attempt(other.test_client(), expert.email, PASSWORD).status_code == 429
    finally:
        from annotate import db

        with other.app_context():
            db.engine().dispose()
