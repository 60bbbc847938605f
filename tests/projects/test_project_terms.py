"""Terms: shown in full, accepted with time and version, required before the first task (web and API)."""

from __future__ import annotations

from sqlalchemy import select

from annotate.models import TermsAcceptance, TermsVersion

TERMS = (
    "## Confidentiality\n\nDo not share any item outside this project.\n\n" + "Clause. " * 300 + "\n\nThe last line."
)


def _publish(web, slug: str, body: str):
    response = web.post(f"/p/{slug}/settings/terms", {"terms": body})
    assert response.status_code == 303, response.text
    return response


def test_an_expert_must_accept_the_terms_before_the_first_task(
    make_user, make_project, browser_for, seed_items, session
):
    researcher, expert = make_user("researcher"), make_user("expert")
    project = make_project("t1", members=[(researcher, "researcher"), (expert, "expert")])
    seed_items(project, 2)
    _publish(browser_for(researcher), "t1", TERMS)
    web = browser_for(expert)

    blocked = web.post("/p/t1/next")
    assert blocked.status_code == 303
    assert blocked.headers["Location"] == "/p/t1/terms"
    htmx = web.post("/p/t1/next", headers={"HX-Request": "true"})
    assert htmx.status_code == 204
    assert htmx.headers["HX-Redirect"] == "/p/t1/terms"

    page = web.get("/p/t1/terms")
    assert '<h2 dir="auto">Confidentiality</h2>' in page.text
    assert "The last line." in page.text
    assert page.text.count("Clause.") == 300
    assert web.post("/p/t1/terms/accept", {"version": "1"}).status_code == 303
    acceptance = session.scalar(select(TermsAcceptance).where(TermsAcceptance.user_id == expert.id))
    assert acceptance.version == 1
    assert acceptance.accepted_at is not None
    assert "You have accepted this version" in web.get("/p/t1/terms").text

    claimed = web.post("/p/t1/next")
    assert claimed.status_code == 303
    assert claimed.headers["Location"] != "/p/t1/terms"


def test_a_new_version_must_be_accepted_again_and_stale_accepts_fail(make_user, make_project, browser_for, session):
    researcher, expert = make_user("researcher"), make_user("expert")
    project = make_project("t2", members=[(researcher, "researcher"), (expert, "expert")])
    admin_web, web = browser_for(researcher), browser_for(expert)
    _publish(admin_web, "t2", "Version one")
    assert web.post("/p/t2/terms/accept", {"version": "1"}).status_code == 303
    assert web.post("/p/t2/next").headers["Location"] != "/p/t2/terms"
    _publish(admin_web, "t2", "Version two")
    assert web.post("/p/t2/next").headers["Location"] == "/p/t2/terms"
    # Accepting the version read before the change records nothing.
    assert web.post("/p/t2/terms/accept", {"version": "1"}).status_code == 303
    assert "changed while you were reading" in web.get("/p/t2/terms").text
    assert web.post("/p/t2/terms/accept", {"version": "x"}).status_code == 400
    assert web.post("/p/t2/terms/accept", {"version": "2"}).status_code == 303
    versions = session.scalars(
        select(TermsAcceptance.version).where(TermsAcceptance.user_id == expert.id).order_by(TermsAcceptance.version)
    ).all()
    assert versions == [1, 2]
    bodies = session.scalars(
        select(TermsVersion.body).where(TermsVersion.project_id == project.id).order_by(TermsVersion.version)
    ).all()
    assert bodies == ["Version one", "Version two"]


def test_withdrawn_terms_gate_nobody(make_user, make_project, browser_for):
    researcher, expert = make_user("researcher"), make_user("expert")
    make_project("t3", members=[(researcher, "researcher"), (expert, "expert")])
    _publish(browser_for(researcher), "t3", "Some terms")
    web = browser_for(expert)
    assert web.post("/p/t3/next").headers["Location"] == "/p/t3/terms"
    _publish(browser_for(researcher), "t3", "   ")
    assert web.post("/p/t3/next").headers["Location"] != "/p/t3/terms"


def test_the_api_refuses_claims_until_the_terms_are_accepted(
    make_user, make_project, make_token, browser_for, seed_items, client
):
    researcher, expert = make_user("researcher"), make_user("expert")
    project = make_project("t4", members=[(researcher, "researcher"), (expert, "expert")])
    seed_items(project, 1)
    _publish(browser_for(researcher), "t4", "API terms")
    headers = {"Authorization": f"Bearer {make_token(expert)}"}
    refused = client.post("/api/v1/projects/t4/assignments", headers=headers)
    assert refused.status_code == 403
    assert refused.json["terms_url"].endswith("/p/t4/terms")
    assert "terms" in refused.json["error"]
    browser_for(expert).post("/p/t4/terms/accept", {"version": "1"})
    assert client.post("/api/v1/projects/t4/assignments", headers=headers).status_code == 201


def test_projects_without_terms_do_not_gate(make_user, make_project, browser_for):
    expert = make_user("expert")
    make_project("t5", members=[(expert, "expert")])
    web = browser_for(expert)
    assert web.post("/p/t5/next").headers["Location"] != "/p/t5/terms"
    assert "no terms to accept" in web.get("/p/t5/terms").text


def test_only_researchers_publish_terms(make_user, make_project, browser_for, session):
    expert = make_user("expert")
    make_project("t6", members=[(expert, "expert")])
    assert browser_for(expert).post("/p/t6/settings/terms", {"terms": "mine"}).status_code == 404
    assert session.scalar(select(TermsVersion)) is None


def test_the_members_page_shows_who_accepted_the_current_terms(make_user, make_project, browser_for):
    researcher, keen, slow = make_user("researcher"), make_user("expert"), make_user("expert")
    make_project("t7", members=[(researcher, "researcher"), (keen, "expert"), (slow, "expert")])
    web = browser_for(researcher)
    assert "Terms v" not in web.get("/p/t7/members").text
    _publish(web, "t7", "Read me")
    browser_for(keen).post("/p/t7/terms/accept", {"version": "1"})
    page = web.get("/p/t7/members").text
    assert "Terms v1" in page
    assert page.count(">accepted<") == 1
    assert page.count(">not yet<") == 2
