"""Members: add existing users, invite new experts with a one-time link, roles, deactivation."""

from __future__ import annotations

import re
from datetime import timedelta

from helpers import Browserless, csrf_from
from sqlalchemy import select

from annotate.db import utcnow
from annotate.models import Invitation, ProjectMember, ProjectRole, Role, User

LINK_RE = re.compile(r'value="(http://localhost/invite/[^"]+)"')


def _link(html: str) -> str:
    match = LINK_RE.search(html)
    assert match, "no invitation link on the page"
    return match.group(1).removeprefix("http://localhost")


def test_add_an_existing_user_and_change_their_role(make_user, make_project, browser_for, session):
    researcher, expert = make_user("researcher"), make_user("expert")
    project = make_project("m1", members=[(researcher, "researcher")])
    web = browser_for(researcher)
    assert web.post("/p/m1/members", {"email": expert.email.upper(), "role": "reviewer"}).status_code == 303
    member = session.scalar(select(ProjectMember).where(ProjectMember.user_id == expert.id))
    assert member.role is ProjectRole.REVIEWER
    assert member.project_id == project.id
    page = web.get("/p/m1/members")
    assert expert.email in page.text
    assert "is now reviewer" in page.text
    assert LINK_RE.search(page.text) is None
    assert web.post(f"/p/m1/members/{member.id}", {"role": "expert"}).status_code == 303
    session.refresh(member)
    assert member.role is ProjectRole.EXPERT


def test_invite_by_email_then_set_password_once(app, make_user, make_project, browser_for, session, caplog):
    researcher = make_user("researcher")
    make_project("m2", title="Invite project", members=[(researcher, "researcher")])
    web = browser_for(researcher)
    with caplog.at_level("WARNING", logger="annotate.invitations"):
        page = web.post("/p/m2/members", {"email": "new.expert@example.org", "name": "Nia", "role": "expert"})
    assert page.status_code == 200
    assert "send new.expert@example.org this one-time link" in page.text
    url = _link(page.text)
    token = url.rsplit("/", 1)[1]
    # No mail server: the log says a link was made, and for whom, but never the link's token.
    assert "set-password link for new.expert@example.org" in caplog.text
    assert token not in caplog.text
    user = session.scalar(User.by_email("new.expert@example.org"))
    assert user.role is Role.EXPERT
    assert user.password_hash is None
    assert user.name == "Nia"
    stored = session.scalar(select(Invitation).where(Invitation.user_id == user.id))
    assert token not in stored.token_hash
    assert len(stored.token_hash) == 64

    invitee = Browserless(app.test_client())
    form = invitee.client.get(url)
    assert form.status_code == 200
    assert "Invite project" in form.text
    csrf = csrf_from(form.text)
    short = invitee.client.post(url, data={"password": "short", "confirm": "short", "csrf_token": csrf})
    assert short.status_code == 422
    assert "at least 10 characters" in short.text
    differ = invitee.client.post(
        url, data={"password": "a-long-password", "confirm": "another-password", "csrf_token": csrf}
    )
    assert differ.status_code == 422
    done = invitee.client.post(
        url, data={"password": "a-long-password", "confirm": "a-long-password", "csrf_token": csrf}
    )
    assert done.status_code == 303
    assert "Invite project" in invitee.client.get("/").text  # signed in, and a member

    again = Browserless(app.test_client()).client.get(url)
    assert again.status_code == 410
    assert "already been used" in again.text
    csrf = csrf_from(invitee.client.get("/").text)  # signing in started a new session
    reuse = invitee.client.post(
        url, data={"password": "b-long-password", "confirm": "b-long-password", "csrf_token": csrf}
    )
    assert reuse.status_code == 410
    fresh = Browserless(app.test_client())
    fresh.login("new.expert@example.org", "a-long-password")


def test_expired_and_unknown_links_are_refused(app, make_user, make_project, browser_for, session):
    researcher = make_user("researcher")
    make_project("m3", members=[(researcher, "researcher")])
    url = _link(browser_for(researcher).post("/p/m3/members", {"email": "late@example.org", "role": "expert"}).text)
    invitation = session.scalar(select(Invitation))
    invitation.expires_at = utcnow() - timedelta(seconds=1)
    session.commit()
    client = app.test_client()
    assert client.get(url).status_code == 410
    assert "expired" in client.get(url).text
    assert client.get("/invite/not-a-token").status_code == 410


def test_a_new_link_revokes_the_previous_one(app, make_user, make_project, browser_for, session):
    researcher = make_user("researcher")
    make_project("m4", members=[(researcher, "researcher")])
    web = browser_for(researcher)
    first = _link(web.post("/p/m4/members", {"email": "x@example.org", "role": "expert"}).text)
    member = session.scalar(select(ProjectMember).join(User).where(User.email == "x@example.org"))
    second = _link(web.post(f"/p/m4/members/{member.id}/invitation").text)
    assert first != second
    client = app.test_client()
    assert client.get(first).status_code == 410
    assert client.get(second).status_code == 200


def test_researchers_cannot_take_over_pending_staff_accounts(make_user, make_project, browser_for, session):
    """A set-password link hands over an account: researchers may issue one only for experts."""
    researcher = make_user("researcher")
    pending_admin = make_user("admin", email="boss@example.org", password=None)
    make_project("m5", members=[(researcher, "researcher")])
    web = browser_for(researcher)
    page = web.post("/p/m5/members", {"email": "boss@example.org", "role": "expert"})
    assert page.status_code == 303  # added, but no link
    assert session.scalar(select(Invitation).where(Invitation.user_id == pending_admin.id)) is None
    member = session.scalar(select(ProjectMember).where(ProjectMember.user_id == pending_admin.id))
    assert web.post(f"/p/m5/members/{member.id}/invitation").status_code == 409
    assert session.scalar(select(Invitation).where(Invitation.user_id == pending_admin.id)) is None


def test_deactivated_member_loses_the_project(make_user, make_project, browser_for, session):
    researcher, expert = make_user("researcher"), make_user("expert")
    make_project("m6", title="Leaving", members=[(researcher, "researcher"), (expert, "expert")])
    web, theirs = browser_for(researcher), browser_for(expert)
    assert theirs.get("/p/m6").status_code == 200
    member = session.scalar(select(ProjectMember).where(ProjectMember.user_id == expert.id))
    assert web.post(f"/p/m6/members/{member.id}", {"active": "0"}).status_code == 303
    assert theirs.get("/p/m6").status_code == 404
    assert "Leaving" not in theirs.get("/").text
    assert web.post(f"/p/m6/members/{member.id}", {"active": "1"}).status_code == 303
    assert theirs.get("/p/m6").status_code == 200


def test_researchers_keep_their_own_role(make_user, make_project, browser_for, session):
    researcher = make_user("researcher")
    make_project("m7", members=[(researcher, "researcher")])
    web = browser_for(researcher)
    mine = session.scalar(select(ProjectMember).where(ProjectMember.user_id == researcher.id))
    response = web.post(f"/p/m7/members/{mine.id}", {"role": "expert"})
    assert response.status_code == 422
    assert "own researcher role" in response.text
    assert web.post(f"/p/m7/members/{mine.id}", {"active": "0"}).status_code == 422
    assert web.post(f"/p/m7/members/{mine.id}", {"role": "boss"}).status_code == 422
    session.refresh(mine)
    assert mine.role is ProjectRole.RESEARCHER
    assert mine.active


def test_member_list_is_paginated(make_user, make_project, browser_for, session):
    researcher = make_user("researcher")
    people = [(make_user("expert"), "expert") for _ in range(55)]
    make_project("m8", members=[(researcher, "researcher"), *people])
    web = browser_for(researcher)
    first = web.get("/p/m8/members")
    assert first.text.count('name="active"') == 50
    after = re.search(r'href="/p/m8/members\?after=(\d+)"', first.text)
    assert after, "no next-page link"
    second = web.get(f"/p/m8/members?after={after.group(1)}")
    assert second.text.count('name="active"') == 6
    assert "Next page" not in second.text


def test_unknown_role_and_bad_email_are_refused(make_user, make_project, browser_for, session):
    researcher = make_user("researcher")
    make_project("m9", members=[(researcher, "researcher")])
    web = browser_for(researcher)
    assert web.post("/p/m9/members", {"email": "a@example.org", "role": "owner"}).status_code == 422
    bad = web.post("/p/m9/members", {"email": "not-an-email", "role": "expert"})
    assert bad.status_code == 422
    assert "is not an email address" in bad.text
    assert session.scalar(User.by_email("a@example.org")) is None
