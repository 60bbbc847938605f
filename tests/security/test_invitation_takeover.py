"""Hole 4: a researcher of one project cannot take over an account invited to (or working in) another:
set-password links only from someone who manages every project of the account; otherwise a membership
offer that the account's owner accepts after signing in. Profile edits need a shared live project;
rates can differ per project."""

from __future__ import annotations

import re
from decimal import Decimal

from helpers import csrf_from
from sqlalchemy import select

from annotate.models import Invitation, MembershipInvitation, ProjectMember, User

LINK_RE = re.compile(r'value="http://localhost(/invite/[^"]+)"')


def _link(html: str) -> str:
    match = LINK_RE.search(html)
    assert match, "no invitation link on the page"
    return match.group(1)


def _set_password(app, path: str, password: str):
    client = app.test_client()
    csrf = csrf_from(client.get(path).text)
    return client, client.post(path, data={"password": password, "confirm": password, "csrf_token": csrf})


def test_reinviting_an_expert_of_another_project_gives_no_link(app, make_user, make_project, signed_in, session):
    alice, mallory = make_user("researcher"), make_user("researcher")
    make_project("alices", title="Alice's", members=[(alice, "researcher")])
    make_project("mallorys", title="Mallory's", members=[(mallory, "researcher")])
    first = _link(signed_in(alice).post("/p/alices/members", {"email": "dr.who@example.org", "role": "expert"}).text)
    expert = session.scalar(User.by_email("dr.who@example.org"))

    mallorys = signed_in(mallory)
    attempt = mallorys.post("/p/mallorys/members", {"email": "dr.who@example.org", "role": "expert"})
    assert attempt.status_code == 303
    assert LINK_RE.search(attempt.text) is None
    page = mallorys.get("/p/mallorys/members").text
    assert "they are invited as expert and join when they accept" in page
    assert LINK_RE.search(page) is None
    assert "Invited, not yet accepted" in page
    # No membership yet, no new link, and Alice's link still works.
    assert session.scalar(select(ProjectMember).where(ProjectMember.user_id == expert.id)).project.slug == "alices"
    assert len(session.scalars(select(Invitation).where(Invitation.user_id == expert.id)).all()) == 1
    client, done = _set_password(app, first, "the-experts-own-password")
    assert done.status_code == 303
    # The expert, signed in with their own password, sees the offer and accepts it.
    home = client.get("/").text
    assert "You are invited to 1 project" in home
    offers = client.get("/invitations")
    assert "Mallory&#39;s" in offers.text
    offer = session.scalar(select(MembershipInvitation))
    csrf = csrf_from(offers.text)
    accepted = client.post(f"/invitations/{offer.id}/accept", data={"csrf_token": csrf})
    assert accepted.status_code == 303
    assert client.get("/p/mallorys").status_code == 200
    assert session.scalar(select(MembershipInvitation)) is None
    # Mallory still cannot send them a link: they have a password now, and Alice's project is not hers.
    member = session.scalar(
        select(ProjectMember)
        .join(ProjectMember.project)
        .where(ProjectMember.user_id == expert.id)
        .filter_by(slug="mallorys")
    )
    assert mallorys.post(f"/p/mallorys/members/{member.id}/invitation").status_code == 409


def test_a_second_project_cannot_reissue_the_link_of_a_pending_invitee(
    app, make_user, make_project, signed_in, session
):
    """The takeover itself: the expert has not set a password yet; a re-invitation must not kill
    their link and hand the account to the second researcher."""
    alice, mallory = make_user("researcher"), make_user("researcher")
    make_project("a2", members=[(alice, "researcher")])
    make_project("m2", members=[(mallory, "researcher")])
    first = _link(signed_in(alice).post("/p/a2/members", {"email": "pending@example.org", "role": "expert"}).text)
    mallorys = signed_in(mallory)
    offered = mallorys.post("/p/m2/members", {"email": "pending@example.org", "role": "reviewer"})
    assert offered.status_code == 303
    assert LINK_RE.search(mallorys.get("/p/m2/members").text) is None
    expert = session.scalar(User.by_email("pending@example.org"))
    assert session.scalar(select(MembershipInvitation).where(MembershipInvitation.user_id == expert.id)) is not None
    assert len(session.scalars(select(Invitation).where(Invitation.user_id == expert.id)).all()) == 1
    # Alice's link is alive and signs in as the expert, with the password the expert chooses.
    client, done = _set_password(app, first, "only-the-expert-knows")
    assert done.status_code == 303
    assert client.get("/p/m2").status_code == 404  # Mallory's project only once they accept


def test_the_researcher_who_manages_every_project_of_the_account_may_resend(
    app, make_user, make_project, signed_in, session
):
    alice, bob = make_user("researcher"), make_user("researcher")
    make_project("b1", members=[(alice, "researcher"), (bob, "researcher")])
    make_project("b2", members=[(alice, "researcher")])
    web = signed_in(alice)
    first = _link(web.post("/p/b1/members", {"email": "both@example.org", "role": "expert"}).text)
    # Alice adds them to her second project directly (she manages all of theirs), with a new link.
    second = _link(web.post("/p/b2/members", {"email": "both@example.org", "role": "expert"}).text)
    assert app.test_client().get(first).status_code == 410
    assert app.test_client().get(second).status_code == 200
    # Bob researches only b1 of their two projects: no link, and no button for one.
    expert = session.scalar(User.by_email("both@example.org"))
    member = session.scalar(
        select(ProjectMember).where(
            ProjectMember.user_id == expert.id,
            ProjectMember.project_id
            == session.scalar(select(ProjectMember.project_id).where(ProjectMember.user_id == bob.id)),
        )
    )
    bobs = signed_in(bob)
    assert f"/p/b1/members/{member.id}/invitation" not in bobs.get("/p/b1/members").text
    refused = bobs.post(f"/p/b1/members/{member.id}/invitation")
    assert refused.status_code == 409
    assert "belongs to projects you do not manage" in refused.text
    assert app.test_client().get(second).status_code == 200


def test_an_account_an_admin_invited_gets_no_link_from_a_researcher(app, make_user, make_project, signed_in, session):
    admin, researcher = make_user("admin"), make_user("researcher")
    make_project("c1", members=[(researcher, "researcher")])
    boss = signed_in(admin)
    adminlink = _link(boss.post("/admin/users", {"email": "fresh@example.org", "role": "expert"}).text)
    page = signed_in(researcher).post("/p/c1/members", {"email": "fresh@example.org", "role": "expert"})
    assert page.status_code == 303
    assert app.test_client().get(adminlink).status_code == 200
    expert = session.scalar(User.by_email("fresh@example.org"))
    assert session.scalar(select(ProjectMember).where(ProjectMember.user_id == expert.id)) is None
    assert session.scalar(select(MembershipInvitation).where(MembershipInvitation.user_id == expert.id)) is not None


def test_offers_are_declined_or_withdrawn_and_only_by_those_concerned(app, make_user, make_project, signed_in, session):
    alice, mallory = make_user("researcher"), make_user("researcher")
    expert, stranger = make_user("expert"), make_user("expert")
    make_project("d1", members=[(alice, "researcher"), (expert, "expert")])
    make_project("d2", title="Second", members=[(mallory, "researcher")])
    mallorys = signed_in(mallory)
    assert mallorys.post("/p/d2/members", {"email": expert.email, "role": "expert"}).status_code == 303
    offer = session.scalar(select(MembershipInvitation))
    assert signed_in(stranger).post(f"/invitations/{offer.id}/accept").status_code == 404
    assert signed_in(alice).post(f"/p/d1/offers/{offer.id}/withdraw").status_code == 404
    theirs = signed_in(expert)
    assert theirs.get("/p/d2").status_code == 404  # not a member before accepting
    assert theirs.post(f"/invitations/{offer.id}/decline").status_code == 303
    assert "declined the invitation to Second" in theirs.get("/invitations").text
    assert session.scalar(select(MembershipInvitation)) is None
    assert theirs.get("/p/d2").status_code == 404
    # Offered again, then withdrawn by the researcher.
    assert mallorys.post("/p/d2/members", {"email": expert.email, "role": "reviewer"}).status_code == 303
    offer = session.scalar(select(MembershipInvitation))
    assert mallorys.post(f"/p/d2/offers/{offer.id}/withdraw").status_code == 303
    assert session.scalar(select(MembershipInvitation)) is None
    assert "No invitations waiting" in theirs.get("/invitations").text
    # Accepted, they are a member; offering the same project again is refused, by name.
    assert mallorys.post("/p/d2/members", {"email": expert.email, "role": "expert"}).status_code == 303
    offer = session.scalar(select(MembershipInvitation))
    assert theirs.post(f"/invitations/{offer.id}/accept").status_code == 303
    again = mallorys.post("/p/d2/members", {"email": expert.email, "role": "reviewer"})
    assert again.status_code == 422
    assert f"{expert.email} is already a member" in again.text


def test_researchers_edit_global_fields_only_while_sharing_a_live_project(make_user, make_project, signed_in, session):
    researcher, expert = make_user("researcher"), make_user("expert")
    project = make_project("e1", members=[(researcher, "researcher"), (expert, "expert")])
    web = signed_in(researcher)
    form = {"name": "N", "expertise": "law", "hourly_rate": "50"}
    assert web.post(f"/people/{expert.id}", form).status_code == 303
    member = session.scalar(select(ProjectMember).where(ProjectMember.user_id == expert.id))
    member.active = False  # the expert left the project
    session.commit()
    assert web.post(f"/people/{expert.id}", {**form, "hourly_rate": "5"}).status_code == 403
    assert 'name="hourly_rate"' not in web.get(f"/people/{expert.id}").text
    member.active = True
    project.archived = True
    session.commit()
    assert web.post(f"/people/{expert.id}", {**form, "hourly_rate": "5"}).status_code == 403
    session.refresh(expert)
    assert expert.hourly_rate == Decimal("50.00")


def test_rates_belong_to_the_membership_where_they_differ(make_user, make_project, signed_in, session):
    researcher, other, expert = (
        make_user("researcher"),
        make_user("researcher"),
        make_user("expert", hourly_rate=Decimal("40")),
    )
    make_project("f1", members=[(researcher, "researcher"), (expert, "expert")])
    make_project("f2", members=[(other, "researcher"), (expert, "expert")])
    member = session.scalar(
        select(ProjectMember).join(ProjectMember.project).where(ProjectMember.user_id == expert.id).filter_by(slug="f1")
    )
    web = signed_in(researcher)
    page = web.get("/p/f1/members").text
    assert f'id="rate-{member.id}"' in page
    assert 'placeholder="40.00"' in page
    assert web.post(f"/p/f1/members/{member.id}/rate", {"hourly_rate": "65.50"}).status_code == 303
    session.refresh(member)
    assert member.hourly_rate == Decimal("65.50")
    assert member.rate == Decimal("65.50")
    session.refresh(expert)
    assert expert.hourly_rate == Decimal("40.00")  # the profile's rate and the other project's are untouched
    f2 = session.scalar(
        select(ProjectMember).join(ProjectMember.project).where(ProjectMember.user_id == expert.id).filter_by(slug="f2")
    )
    assert f2.rate == Decimal("40.00")
    bad = web.post(f"/p/f1/members/{member.id}/rate", {"hourly_rate": "lots"})
    assert bad.status_code == 422
    assert f"rate of {expert.email}: &#39;lots&#39; is not a number" in bad.text
    # Another project's researcher cannot set it.
    assert signed_in(other).post(f"/p/f1/members/{member.id}/rate", {"hourly_rate": "1"}).status_code == 404
    assert web.post(f"/p/f1/members/{member.id}/rate", {"hourly_rate": ""}).status_code == 303
    session.refresh(member)
    assert member.hourly_rate is None
    assert member.rate == Decimal("40.00")
