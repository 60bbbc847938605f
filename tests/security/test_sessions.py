"""Hole 1: a session cookie saved earlier must stop working after sign-out, a password change,
deactivation (even after reactivation), "sign out everywhere", idleness and its absolute lifetime.
The cookie carries no part of the password hash."""

from __future__ import annotations

import re
import time

import pytest
from helpers import PASSWORD, Browserless, csrf_from

from annotate import create_app
from annotate.config import ConfigError
from annotate.models import User

SIGNED_IN = 200  # GET / signed in; signed out it answers 303 to the sign-in page


def _cookie(web: Browserless) -> str:
    cookie = web.client.get_cookie("session")
    assert cookie is not None, "no session cookie"
    return cookie.value


def _signed_in(response) -> bool:
    if response.status_code == 303:
        assert "/login" in response.headers["Location"]
        return False
    assert response.status_code == SIGNED_IN, response.status_code
    return True


def test_a_saved_cookie_works_until_sign_out_then_never_again(make_user, signed_in, replay, session):
    expert = make_user("expert")
    web, laptop = signed_in(expert), signed_in(expert)
    saved = _cookie(web)
    assert _signed_in(replay(saved))
    assert web.post("/logout").status_code == 303
    assert not _signed_in(replay(saved))
    assert not _signed_in(laptop.get("/"))  # sign-out ends the user's other sessions too
    assert _signed_in(signed_in(expert).get("/"))  # and signing in again works


def test_a_password_reset_ends_every_session_and_revokes_tokens(app, make_user, make_token, signed_in, replay, session):
    admin, expert = make_user("admin"), make_user("expert")
    token = make_token(expert)
    saved = _cookie(signed_in(expert))
    page = signed_in(admin).post(f"/admin/users/{expert.id}/link")
    path = re.search(r'value="http://localhost(/invite/[^"]+)"', page.text).group(1)
    assert _signed_in(replay(saved))  # issuing the link changes nothing yet
    fresh = app.test_client()
    csrf = csrf_from(fresh.get(path).text)
    done = fresh.post(path, data={"password": "a-new-password", "confirm": "a-new-password", "csrf_token": csrf})
    assert done.status_code == 303
    assert not _signed_in(replay(saved))
    assert _signed_in(fresh.get("/"))  # the one who set it is signed in
    api = app.test_client().get("/api/v1/projects/x/stats", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 401
    assert api.get_json()["error"] == "the token was revoked"


def test_reactivation_does_not_revive_old_cookies(make_user, signed_in, replay, session):
    admin, expert = make_user("admin"), make_user("expert")
    saved = _cookie(signed_in(expert))
    web = signed_in(admin)
    assert web.post(f"/admin/users/{expert.id}", {"active": "0"}).status_code == 303
    assert web.post(f"/admin/users/{expert.id}", {"active": "1"}).status_code == 303
    assert not _signed_in(replay(saved))
    assert _signed_in(signed_in(expert).get("/"))


def test_an_admin_signs_a_user_out_everywhere(make_user, make_token, signed_in, replay, app, session):
    admin, expert = make_user("admin"), make_user("expert")
    token = make_token(expert)
    phone, laptop = signed_in(expert), signed_in(expert)
    web = signed_in(admin)
    assert f"/admin/users/{expert.id}/sign-out" in web.get("/admin/users").text
    assert web.post(f"/admin/users/{expert.id}/sign-out").status_code == 303
    assert f"{expert.email} is signed out everywhere" in web.get("/admin/users").text
    assert not _signed_in(phone.get("/"))
    assert not _signed_in(laptop.get("/"))
    assert _signed_in(web.get("/"))  # the admin's own session is untouched
    # Browser sessions only: the API token is revoked separately (annotate tokens revoke).
    api = app.test_client().get("/api/v1/projects/x/stats", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 404
    # Only admins may do it.
    other = make_user("researcher")
    assert signed_in(other).post(f"/admin/users/{admin.id}/sign-out").status_code == 403
    assert web.post("/admin/users/999999/sign-out").status_code == 404


def test_sign_out_everywhere_from_the_command_line(runner, make_user, signed_in, replay, session):
    expert = make_user("expert", email="cli@example.org")
    saved = _cookie(signed_in(expert))
    result = runner.invoke(args=["users", "sign-out", "cli@example.org"])
    assert result.exit_code == 0, result.output
    assert "signed out cli@example.org everywhere" in result.output
    assert not _signed_in(replay(saved))
    missing = runner.invoke(args=["users", "sign-out", "nobody@example.org"])
    assert missing.exit_code != 0
    assert "no user with email nobody@example.org" in missing.output


def test_deactivation_from_the_command_line_ends_sessions_for_good(runner, make_user, signed_in, replay, session):
    expert = make_user("expert", email="gone@example.org")
    saved = _cookie(signed_in(expert))
    assert runner.invoke(args=["users", "deactivate", "gone@example.org"]).exit_code == 0
    assert runner.invoke(args=["users", "activate", "gone@example.org"]).exit_code == 0
    assert not _signed_in(replay(saved))


def _age(web: Browserless, *, signed_in_ago: int, seen_ago: int) -> None:
    """Make the cookie what it would be after this long: it was signed in, and last used, so long ago."""
    now = int(time.time())
    with web.client.session_transaction() as cookie:
        cookie["signed_in"] = now - signed_in_ago
        cookie["seen"] = now - seen_ago


def test_idle_sessions_end(app, make_user, signed_in, session):
    app.config["SESSION_IDLE_MINUTES"] = 30
    expert = make_user("expert")
    web = signed_in(expert)
    _age(web, signed_in_ago=29 * 60, seen_ago=29 * 60)
    assert _signed_in(web.get("/"))  # used within the idle time: still signed in, and seen now
    with web.client.session_transaction() as cookie:
        assert int(time.time()) - cookie["seen"] < 5
    _age(web, signed_in_ago=40 * 60, seen_ago=31 * 60)
    assert not _signed_in(web.get("/"))
    assert web.client.get_cookie("session") is None  # and the cookie is emptied


def test_sessions_end_at_their_absolute_lifetime_however_busy(app, make_user, signed_in, session):
    app.config["SESSION_MAX_HOURS"] = 12
    web = signed_in(make_user("expert"))
    _age(web, signed_in_ago=12 * 3600 - 60, seen_ago=10)
    assert _signed_in(web.get("/"))
    _age(web, signed_in_ago=12 * 3600 + 1, seen_ago=10)
    assert not _signed_in(web.get("/"))


def test_the_cookie_carries_no_part_of_the_password_hash(app, make_user, signed_in, session):
    expert = make_user("expert")
    web = signed_in(expert)
    contents = app.session_interface.get_signing_serializer(app).loads(_cookie(web))
    assert set(contents) == {"_permanent", "user_id", "epoch", "signed_in", "seen", "csrf_token"}
    password_hash = session.get(User, expert.id).password_hash
    for value in contents.values():
        for start in range(len(password_hash) - 7):
            assert password_hash[start : start + 8] not in str(value)


def test_a_cookie_of_the_old_kind_does_not_sign_in(app, make_user, replay, session):
    """A cookie from before the epoch (user id and a password stamp) is refused, not honoured."""
    expert = make_user("expert")
    old = app.session_interface.get_signing_serializer(app).dumps(
        {"user_id": expert.id, "auth_stamp": session.get(User, expert.id).password_hash[-16:]}
    )
    assert not _signed_in(replay(old))


def test_the_session_cookie_expires_with_the_absolute_lifetime():
    app = create_app({"ENV": "testing", "SECRET_KEY": "x" * 40, "SESSION_MAX_HOURS": 3, "DATABASE_URL": "sqlite://"})
    assert app.permanent_session_lifetime.total_seconds() == 3 * 3600


@pytest.mark.parametrize("setting", ["SESSION_IDLE_MINUTES", "SESSION_MAX_HOURS"])
@pytest.mark.parametrize("value", [0, -5, "soon", True])
def test_session_limits_must_be_positive_numbers(setting, value):
    with pytest.raises(ConfigError, match=f"ANNOTATE_{setting} must be a positive number"):
        create_app({"ENV": "testing", "SECRET_KEY": "x" * 40, setting: value, "DATABASE_URL": "sqlite://"})


def test_changing_ones_password_ends_the_other_sessions(app, make_user, make_token, signed_in, replay, session):
    expert = make_user("expert")
    token = make_token(expert)
    web, phone = signed_in(expert), signed_in(expert)
    saved = _cookie(phone)
    page = web.get(f"/people/{expert.id}").text
    assert 'action="/profile/password"' in page
    wrong = web.post("/profile/password", {"current": "not-my-password", "password": "n" * 12, "confirm": "n" * 12})
    assert wrong.status_code == 422
    assert "current password: that is not your current password" in wrong.text
    assert 'id="password-error"' in wrong.text
    short = web.post("/profile/password", {"current": PASSWORD, "password": "short", "confirm": "short"})
    assert short.status_code == 422
    assert "new password: at least 10 characters" in short.text
    assert _signed_in(replay(saved))  # nothing changed yet
    done = web.post(
        "/profile/password", {"current": PASSWORD, "password": "brand-new-pass", "confirm": "brand-new-pass"}
    )
    assert done.status_code == 303
    assert _signed_in(web.get("/"))  # this browser goes on
    assert "Password changed" in web.get(f"/people/{expert.id}").text
    assert not _signed_in(replay(saved))
    assert not _signed_in(phone.get("/"))
    api = app.test_client().get("/api/v1/projects/x/stats", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 401
    Browserless(app.test_client()).login(expert.email, "brand-new-pass")


def test_guessing_the_current_password_is_throttled(app, make_user, signed_in):
    app.config.update(LOGIN_LIMIT_ACCOUNT="2 per 15 minutes")
    expert = make_user("expert")
    web = signed_in(expert)
    for _ in range(2):
        assert (
            web.post(
                "/profile/password", {"current": "guess-guess", "password": "x" * 12, "confirm": "x" * 12}
            ).status_code
            == 422
        )
    refused = web.post("/profile/password", {"current": PASSWORD, "password": "x" * 12, "confirm": "x" * 12})
    assert refused.status_code == 429
    assert "Too many failed sign-ins for this account" in refused.text
    assert int(refused.headers["Retry-After"]) > 0
