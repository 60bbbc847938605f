"""The admin's user page: create, roles, deactivation that ends sessions and tokens, reset links."""

from __future__ import annotations

import re

from helpers import Browserless, csrf_from
from sqlalchemy import select

from annotate.models import Invitation, Role, User


def test_only_admins_manage_users(make_user, signed_in):
    for role in ("expert", "researcher"):
        web = signed_in(make_user(role))
        assert web.get("/admin/users").status_code == 403
        assert web.post("/admin/users", {"email": "x@example.org", "role": "admin"}).status_code == 403
        assert "/admin/users" not in web.get("/").text
    assert "/admin/users" in signed_in(make_user("admin")).get("/").text


def test_admin_creates_a_user_who_sets_their_own_password(app, make_user, signed_in, session):
    web = signed_in(make_user("admin"))
    page = web.post(
        "/admin/users",
        {"email": "Rita@Example.org", "name": "Rita", "role": "researcher", "expertise": "law", "hourly_rate": "85.50"},
    )
    assert page.status_code == 200
    assert "one-time link" in page.text
    url = re.search(r'value="http://localhost(/invite/[^"]+)"', page.text).group(1)
    user = session.scalar(User.by_email("rita@example.org"))
    assert (user.role, user.expertise, str(user.hourly_rate), user.password_hash) == (
        Role.RESEARCHER,
        ["law"],
        "85.50",
        None,
    )
    client = app.test_client()
    csrf = csrf_from(client.get(url).text)
    assert (
        client.post(url, data={"password": "rita-password", "confirm": "rita-password", "csrf_token": csrf}).status_code
        == 303
    )
    assert 'href="/projects"' in client.get("/").text  # a researcher now


def test_bad_input_is_named_and_nothing_written(make_user, signed_in, session):
    admin = make_user("admin")
    web = signed_in(admin)
    for form, message in [
        ({"email": "nope", "role": "expert"}, "is not an email address"),
        ({"email": admin.email, "role": "expert"}, "already exists"),
        ({"email": "a@example.org", "role": "king"}, "role: choose"),
        ({"email": "a@example.org", "role": "expert", "expertise": "Bad Tag!"}, "expertise:"),
        ({"email": "a@example.org", "role": "expert", "hourly_rate": "-3"}, "hourly_rate:"),
        ({"email": "a@example.org", "role": "expert", "hourly_rate": "1.234"}, "more than 2 decimals"),
    ]:
        response = web.post("/admin/users", form)
        assert response.status_code == 422, form
        assert message in response.text, form
    assert session.scalar(User.by_email("a@example.org")) is None


def test_deactivation_ends_sessions_and_tokens_at_once(make_user, make_token, signed_in, client, session):
    admin, expert = make_user("admin"), make_user("expert")
    token = make_token(expert)
    theirs = signed_in(expert)
    assert theirs.get("/").status_code == 200
    web = signed_in(admin)
    assert web.post(f"/admin/users/{expert.id}", {"active": "0"}).status_code == 303
    assert theirs.get("/").status_code == 303  # signed out on the next request
    assert client.get("/api/v1/projects/x/stats", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    login = Browserless(client)
    page = client.get("/login")
    assert (
        client.post(
            "/login",
            data={
                "email": expert.email,
                "password": "correct horse battery staple",
                "csrf_token": csrf_from(page.text),
            },
        ).status_code
        == 401
    )
    assert "deactivated" in web.get("/admin/users").text
    assert web.post(f"/admin/users/{expert.id}/link").status_code == 409
    assert web.post(f"/admin/users/{expert.id}", {"active": "1"}).status_code == 303
    login.login(expert.email)


def test_admins_cannot_lock_themselves_out(make_user, signed_in, session):
    admin = make_user("admin")
    web = signed_in(admin)
    assert web.post(f"/admin/users/{admin.id}", {"active": "0"}).status_code == 422
    assert web.post(f"/admin/users/{admin.id}", {"role": "expert"}).status_code == 422
    session.refresh(admin)
    assert admin.active
    assert admin.role is Role.ADMIN


def test_role_change_and_reset_link(app, make_user, signed_in, session):
    admin, user = make_user("admin"), make_user("expert")
    web = signed_in(admin)
    assert web.post(f"/admin/users/{user.id}", {"role": "researcher"}).status_code == 303
    session.refresh(user)
    assert user.role is Role.RESEARCHER
    page = web.post(f"/admin/users/{user.id}/link")
    assert page.status_code == 200
    assert session.scalar(select(Invitation).where(Invitation.user_id == user.id)) is not None
    assert web.post("/admin/users/999999", {"role": "expert"}).status_code == 404


def test_user_list_is_searchable_and_paginated(make_user, signed_in):
    web = signed_in(make_user("admin", email="root@example.org"))
    for i in range(55):
        make_user("expert", email=f"person{i:02d}@example.org")
    first = web.get("/admin/users")
    assert first.text.count('name="active"') == 50
    nxt = re.search(r'href="(/admin/users\?after=\d+)"', first.text).group(1)
    assert web.get(nxt).text.count('name="active"') == 6
    found = web.get("/admin/users?q=PERSON1")
    assert found.text.count('name="active"') == 10
    assert "person10@example.org" in found.text
