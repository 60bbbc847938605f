"""The expert's path through the pages: sign in, projects, claim, judge, next task — with and without htmx."""

from __future__ import annotations

import re

import pytest
from helpers import PASSWORD, csrf_from, pair_rows
from sqlalchemy import select

from annotate.models import Assignment, Judgment


@pytest.fixture
def project(make_user, make_project, import_rows):
    expert = make_user("expert", email="emma@example.org")
    project = make_project("flow", title="Flow project", members=[(expert, "expert")])
    rows = pair_rows(2)
    rows[0]["responses"][0]["content"] = "<script>alert(1)</script> **bold**"
    import_rows(project, rows)
    return project


def test_sign_in_shows_my_projects_only(web, project, make_project):
    make_project("hidden", title="Not yours")
    web.login("emma@example.org")
    home = web.get("/")
    assert "Flow project" in home.text
    assert "Not yours" not in home.text
    assert web.get("/p/hidden").status_code == 404


def test_wrong_password_and_anonymous_access(client, project):
    page = client.get("/login")
    response = client.post(
        "/login", data={"email": "emma@example.org", "password": "nope", "csrf_token": csrf_from(page.text)}
    )
    assert response.status_code == 401
    assert "Email or password is wrong" in response.text
    assert client.get("/p/flow").status_code == 303
    assert client.get("/p/flow").headers["Location"].startswith("/login")


def test_forms_without_csrf_token_are_refused(client, project):
    assert client.post("/login", data={"email": "emma@example.org", "password": PASSWORD}).status_code == 400


def test_login_never_redirects_off_site(client, project):
    page = client.get("/login")
    response = client.post(
        "/login",
        data={
            "email": "emma@example.org",
            "password": PASSWORD,
            "csrf_token": csrf_from(page.text),
            "next": "https://evil.example/",
        },
    )
    assert response.headers["Location"] == "/"


def test_judging_without_javascript(web, project, session):
    web.login("emma@example.org")
    claimed = web.post("/p/flow/next")
    assert claimed.status_code == 303
    task_url = claimed.headers["Location"]
    page = web.get(task_url)
    assert page.status_code == 200
    # Model output is untrusted: rendered as sanitised Markdown, never as markup.
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<strong>bold</strong>" in page.text
    assert "hx-disable" in page.text
    assignment = session.scalar(select(Assignment))
    # Responses appear in the recorded display order: A is display_order[0].
    first_shown = assignment.display_order[0]
    radio = re.findall(r'name="preferred" value="(r\d)"', page.text)
    assert radio == assignment.display_order
    done = web.post(f"/tasks/{assignment.id}/judgment", {"preferred": first_shown, "rationale": "A is right"})
    assert done.status_code == 303
    judgment = session.scalar(select(Judgment))
    assert judgment.answers == {"preferred": first_shown, "rationale": "A is right"}
    # The next task follows; after the last one, the project page says so.
    second = session.scalars(select(Assignment).order_by(Assignment.id)).all()[-1]
    assert done.headers["Location"] == f"/tasks/{second.id}"
    finished = web.post(f"/tasks/{second.id}/judgment", {"preferred": "tie"})
    assert finished.headers["Location"] == "/p/flow?done=1"
    assert "Nothing left for you" in web.get("/p/flow?done=1").text


def test_htmx_submit_swaps_in_the_next_task_fragment(web, project, session):
    web.login("emma@example.org")
    web.post("/p/flow/next")
    first = session.scalar(select(Assignment))
    response = web.post(f"/tasks/{first.id}/judgment", {"preferred": "r1"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "HX-Request" in response.headers.get("Vary", "")
    assert response.text.lstrip().startswith('<section id="task"')
    assert "<html" not in response.text
    nxt = session.scalars(select(Assignment).order_by(Assignment.id.desc())).first()
    assert response.headers["HX-Push-Url"] == f"/tasks/{nxt.id}"
    # A boosted request (hx-boost navigation) gets the whole page.
    boosted = web.get(f"/tasks/{nxt.id}", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" in boosted.text
    restore = web.get(f"/tasks/{nxt.id}", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in restore.text


def test_invalid_submit_re_renders_with_the_problem(web, project, session):
    web.login("emma@example.org")
    web.post("/p/flow/next")
    assignment = session.scalar(select(Assignment))
    response = web.post(f"/tasks/{assignment.id}/judgment", {"preferred": "r7", "rationale": "kept"})
    assert response.status_code == 422
    assert "Choose A, B or Tie." in response.text  # the expert's words, not the schema path
    assert "answers.preferred" not in response.text
    assert ">kept</textarea>" in response.text  # nothing the expert typed is lost
    assert session.scalar(select(Judgment)) is None


def test_other_experts_cannot_open_or_submit_my_task(web, project, session, make_user, client, app):
    web.login("emma@example.org")
    web.post("/p/flow/next")
    assignment = session.scalar(select(Assignment))
    intruder = make_user("expert", email="intruder@example.org")
    from annotate.models import ProjectRole
    from annotate.projects.services import add_member

    add_member(session, project, intruder, ProjectRole.EXPERT)
    session.commit()
    other = app.test_client()
    from helpers import Browserless

    intruder_web = Browserless(other)
    intruder_web.login("intruder@example.org")
    assert intruder_web.get(f"/tasks/{assignment.id}").status_code == 404
    assert intruder_web.post(f"/tasks/{assignment.id}/judgment", {"preferred": "r1"}).status_code == 404
    assert session.scalar(select(Judgment)) is None


def test_logout_ends_the_session(web, project):
    web.login("emma@example.org")
    assert web.post("/logout").status_code == 303
    assert web.get("/").status_code == 303
