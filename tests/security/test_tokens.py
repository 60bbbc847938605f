"""Hole 3: API tokens can be listed and revoked (profile page and CLI), expire, record their last
use without a write on every request, and a password reset or deactivation revokes them."""

from __future__ import annotations

import re
from datetime import timedelta

from helpers import pair_rows
from sqlalchemy import select

from annotate.db import utcnow
from annotate.models import ApiToken

SECRET_RE = re.compile(r'value="(ann_[^"]+)" aria-label="New API token"')


def _api(app, secret: str, url: str = "/api/v1/projects/nope/stats"):
    return app.test_client().get(url, headers={"Authorization": f"Bearer {secret}"})


def test_create_see_and_revoke_tokens_on_the_profile(app, make_user, signed_in, session):
    researcher = make_user("researcher")
    web = signed_in(researcher)
    assert "/profile/tokens" in web.get(f"/people/{researcher.id}").text
    created = web.post("/profile/tokens", {"name": "labelling script", "expires": "30"})
    assert created.status_code == 201
    assert created.headers["Cache-Control"] == "no-store"
    secret = SECRET_RE.search(created.text).group(1)
    assert _api(app, secret).status_code == 404  # signs in (the project does not exist)
    token = session.scalar(select(ApiToken).where(ApiToken.user_id == researcher.id))
    assert token.name == "labelling script"
    assert timedelta(days=29, hours=23) < token.expires_at - utcnow() <= timedelta(days=30)
    listing = web.get("/profile/tokens").text
    assert secret not in listing  # shown once
    assert f"{token.prefix}…" in listing
    assert "labelling script" in listing
    assert token.expires_at.strftime("%Y-%m-%d %H:%M") in listing
    assert "never" in listing  # not used yet
    assert web.post(f"/profile/tokens/{token.id}/revoke").status_code == 303
    assert "revoked: it no longer works" in web.get("/profile/tokens").text
    refused = _api(app, secret)
    assert refused.status_code == 401
    assert refused.get_json()["error"] == "the token was revoked"


def test_only_ones_own_tokens_and_bad_input_is_named(app, make_user, make_token, signed_in, session):
    owner, other = make_user("expert"), make_user("expert")
    secret = make_token(owner)
    token = session.scalar(select(ApiToken).where(ApiToken.user_id == owner.id))
    web = signed_in(other)
    assert web.post(f"/profile/tokens/{token.id}/revoke").status_code == 404
    assert token.prefix not in web.get("/profile/tokens").text
    assert _api(app, secret).status_code == 404  # still works
    for form, message in [
        ({"name": "x", "expires": "0"}, "expires: &#39;0&#39; is not a number of days"),
        ({"name": "x", "expires": "soon"}, "expires: &#39;soon&#39; is not a number of days"),
        ({"name": "n" * 201, "expires": "7"}, "name: at most 200 characters"),
    ]:
        response = web.post("/profile/tokens", form)
        assert response.status_code == 422, form
        assert message in response.text
        assert 'id="token-error"' in response.text
    assert session.scalar(select(ApiToken).where(ApiToken.user_id == other.id)) is None
    anonymous = app.test_client()
    assert anonymous.get("/profile/tokens").status_code == 303


def test_an_expired_token_is_refused_with_a_clear_message(app, make_user, make_token, session):
    secret = make_token(make_user("researcher"))
    token = session.scalar(select(ApiToken))
    token.expires_at = utcnow() + timedelta(minutes=5)
    session.commit()
    assert _api(app, secret).status_code == 404
    token.expires_at = utcnow() - timedelta(seconds=1)
    session.commit()
    refused = _api(app, secret)
    assert refused.status_code == 401
    assert refused.get_json()["error"].startswith("the token expired at ")
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")


def test_last_use_is_recorded_at_most_once_a_minute(app, make_user, make_token, make_project, import_rows, session):
    expert = make_user("expert")
    project = make_project("tok", overlap=1, members=[(expert, "expert")])
    import_rows(project, pair_rows(3))
    secret = make_token(expert)
    claim = "/api/v1/projects/tok/assignments?fresh=1"
    client = app.test_client()
    assert client.post(claim, headers={"Authorization": f"Bearer {secret}"}).status_code == 201
    first = session.scalar(select(ApiToken)).last_used_at
    assert first is not None
    assert utcnow() - first < timedelta(seconds=30)
    assert client.post(claim, headers={"Authorization": f"Bearer {secret}"}).status_code in (201, 204)
    session.expire_all()
    assert session.scalar(select(ApiToken)).last_used_at == first  # no second write within the minute
    token = session.scalar(select(ApiToken))
    token.last_used_at = utcnow() - timedelta(minutes=2)
    session.commit()
    assert client.post(claim, headers={"Authorization": f"Bearer {secret}"}).status_code in (201, 204)
    session.expire_all()
    assert utcnow() - session.scalar(select(ApiToken)).last_used_at < timedelta(seconds=30)


def test_tokens_list_and_revoke_on_the_command_line(app, runner, make_user, make_token, session):
    alice = make_user("researcher", email="alice@example.org")
    bob = make_user("expert", email="bob@example.org")
    one, two, three = make_token(alice), make_token(alice), make_token(bob)
    tokens = {t.token_hash: t for t in session.scalars(select(ApiToken))}
    listing = runner.invoke(args=["tokens", "list"])
    assert listing.exit_code == 0, listing.output
    assert listing.output.count("alice@example.org") == 2
    assert "bob@example.org" in listing.output
    only_bob = runner.invoke(args=["tokens", "list", "bob@example.org"]).output
    assert "alice@example.org" not in only_bob
    first = min(t.id for t in tokens.values() if t.user_id == alice.id)
    revoked = runner.invoke(args=["tokens", "revoke", str(first)])
    assert revoked.exit_code == 0, revoked.output
    assert "of alice@example.org" in revoked.output
    states = [_api(app, s).status_code for s in (one, two, three)]
    assert states == [401, 404, 404]
    again = runner.invoke(args=["tokens", "revoke", str(first)])
    assert again.exit_code != 0
    assert "already revoked" in again.output
    assert "no token with id 999999" in runner.invoke(args=["tokens", "revoke", "999999"]).output
    assert runner.invoke(args=["tokens", "revoke"]).exit_code != 0
    everyone = runner.invoke(args=["tokens", "revoke", "--user", "alice@example.org"])
    assert everyone.output.strip() == "revoked 1 token of alice@example.org"
    assert _api(app, two).status_code == 401
    listing = runner.invoke(args=["tokens", "list"]).output
    assert "alice@example.org" not in listing  # revoked ones only with --all
    assert runner.invoke(args=["tokens", "list", "--all"]).output.count("\trevoked") == 2


def test_tokens_create_with_an_expiry_on_the_command_line(app, runner, make_user, session):
    make_user("expert", email="carol@example.org")
    made = runner.invoke(args=["tokens", "create", "carol@example.org", "--name", "ci", "--expires-days", "2"])
    assert made.exit_code == 0, made.output
    assert "expires" in made.stderr
    token = session.scalar(select(ApiToken))
    assert timedelta(days=1, hours=23) < token.expires_at - utcnow() <= timedelta(days=2)
    bad = runner.invoke(args=["tokens", "create", "carol@example.org", "--expires-days", "0"])
    assert bad.exit_code != 0
    assert "--expires-days: '0' is not a number of days" in bad.output


def test_deactivation_revokes_tokens_for_good(app, make_user, make_token, signed_in, session):
    admin, expert = make_user("admin"), make_user("expert")
    secret = make_token(expert)
    web = signed_in(admin)
    assert web.post(f"/admin/users/{expert.id}", {"active": "0"}).status_code == 303
    assert web.post(f"/admin/users/{expert.id}", {"active": "1"}).status_code == 303
    refused = _api(app, secret)
    assert refused.status_code == 401
    assert refused.get_json()["error"] == "the token was revoked"
