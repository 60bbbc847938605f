"""The critique rewrite diff fragment: the server's word diff, escaped, for the expert's own task only."""

from __future__ import annotations

from helpers import PASSWORD, Browserless


def test_diff_fragment_is_escaped_and_marks_changes(on_task, web):
    rows = [{"id": "d1", "prompt": "Q?", "responses": [{"id": "r1", "content": "Use <b>care</b> here."}]}]
    _project, aid, _html = on_task("critique", rows=rows)
    response = web.post(
        f"/tasks/{aid}/rewrite-diff/r1",
        data={"rewrite-r1": "Use <script>x</script> here."},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "<script" not in response.text
    assert "<b>" not in response.text
    assert "&lt;" in response.text
    assert '<del class="diff-del">' in response.text
    assert '<ins class="diff-ins">' in response.text


def test_diff_of_someone_elses_task_is_404(on_task, make_user, app):
    _project, aid, _html = on_task("critique", k=1)
    other = make_user("expert")
    web = Browserless(app.test_client())
    web.login(other.email, PASSWORD)
    assert web.post(f"/tasks/{aid}/rewrite-diff/r1", data={"rewrite-r1": "x"}).status_code == 404


def test_diff_of_unknown_response_is_404(on_task, web):
    _project, aid, _html = on_task("critique", k=1)
    assert web.post(f"/tasks/{aid}/rewrite-diff/r9", data={"rewrite-r9": "x"}).status_code == 404


def test_diff_needs_csrf(on_task, web):
    _project, aid, _html = on_task("critique", k=1)
    assert web.client.post(f"/tasks/{aid}/rewrite-diff/r1", data={"rewrite-r1": "x"}).status_code == 400


def test_a_reviewer_of_the_project_gets_the_diff(on_task, make_user, app, session):
    from annotate.models import ProjectRole
    from annotate.projects.services import add_member

    project, aid, _html = on_task("critique", k=1)
    reviewer = make_user("expert")
    add_member(session, project, reviewer, ProjectRole.REVIEWER)
    session.commit()
    web = Browserless(app.test_client())
    web.login(reviewer.email, PASSWORD)
    response = web.post(
        f"/tasks/{aid}/rewrite-diff/r1", data={"rewrite-r1": "Changed."}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert "diff-ins" in response.text
