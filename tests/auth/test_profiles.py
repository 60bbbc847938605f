"""Expert profiles: admins and the researchers of an expert's projects edit them; experts see their own."""

from __future__ import annotations

from decimal import Decimal


def test_expert_sees_their_own_profile_read_only(make_user, signed_in, session):
    expert = make_user("expert", expertise=["medicine/dermatology"])
    other = make_user("expert")
    web = signed_in(expert)
    own = web.get("/profile")
    assert own.status_code == 302
    assert own.headers["Location"] == f"/people/{expert.id}"
    page = web.get(f"/people/{expert.id}")
    assert "medicine/dermatology" in page.text
    assert 'name="hourly_rate"' not in page.text
    assert web.post(f"/people/{expert.id}", {"hourly_rate": "999"}).status_code == 403
    assert web.get(f"/people/{other.id}").status_code == 404
    session.refresh(expert)
    assert expert.hourly_rate is None


def test_researcher_edits_experts_of_their_projects_only(make_user, make_project, signed_in, session):
    researcher, mine, stranger, colleague = (
        make_user("researcher"),
        make_user("expert"),
        make_user("expert"),
        make_user("researcher"),
    )
    make_project("pr1", members=[(researcher, "researcher"), (mine, "expert"), (colleague, "researcher")])
    make_project("pr2", members=[(stranger, "expert")])
    web = signed_in(researcher)
    response = web.post(
        f"/people/{mine.id}", {"name": "Dr Mine", "expertise": "Medicine, law/contracts", "hourly_rate": "120"}
    )
    assert response.status_code == 303
    session.refresh(mine)
    assert (mine.name, mine.expertise, mine.hourly_rate) == (
        "Dr Mine",
        ["medicine", "law/contracts"],
        Decimal("120.00"),
    )
    assert web.get(f"/people/{stranger.id}").status_code == 404
    assert web.post(f"/people/{stranger.id}", {"name": "x"}).status_code == 404
    assert web.get(f"/people/{colleague.id}").status_code == 200  # visible, but not theirs to edit
    assert web.post(f"/people/{colleague.id}", {"name": "x"}).status_code == 403
    bad = web.post(f"/people/{mine.id}", {"name": "x", "expertise": "", "hourly_rate": "ten"})
    assert bad.status_code == 422
    assert "hourly_rate:" in bad.text
    session.refresh(mine)
    assert mine.name == "Dr Mine"


def test_admin_edits_anyone(make_user, signed_in, session):
    admin, expert = make_user("admin"), make_user("expert")
    assert (
        signed_in(admin).post(f"/people/{expert.id}", {"name": "N", "expertise": "", "hourly_rate": ""}).status_code
        == 303
    )
    session.refresh(expert)
    assert expert.name == "N"
    assert expert.hourly_rate is None
    assert signed_in(admin).get("/people/999999").status_code == 404


def test_terms_acceptances_are_shown_to_those_who_may_see_them(make_user, make_project, signed_in, session):
    from annotate.projects.services import accept_terms, edit_terms

    researcher, expert = make_user("researcher"), make_user("expert")
    mine = make_project("tp1", title="Mine", members=[(researcher, "researcher"), (expert, "expert")])
    theirs = make_project("tp2", title="Someone else's", members=[(expert, "expert")])
    for project in (mine, theirs):
        edit_terms(session, project, "Be careful.", by=None)
        accept_terms(session, project, expert, 1)
    session.commit()
    own = signed_in(expert).get(f"/people/{expert.id}").text
    assert "Mine" in own
    assert "Someone else&#39;s" in own
    seen = signed_in(researcher).get(f"/people/{expert.id}").text
    assert "Mine" in seen
    assert "Someone else" not in seen
