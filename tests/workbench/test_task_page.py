"""The task page through the Flask test client: page vs fragment, keys, progress, skip, submit, access."""

from __future__ import annotations

import re

from sqlalchemy import select

from annotate.models import Assignment, AssignmentStatus, Item, Judgment

HX = {"HX-Request": "true"}


def other_response_ids(html: str) -> list[str]:
    return re.findall(r'name="preferred" value="(r\d)"', html)


def test_full_page_and_fragment_share_one_url(signed_in, claimed):
    page = signed_in.get(f"/tasks/{claimed}")
    fragment = signed_in.get(f"/tasks/{claimed}", headers=HX)
    assert page.status_code == fragment.status_code == 200
    assert "<html" in page.text
    assert 'id="task"' in page.text
    assert "<html" not in fragment.text
    assert fragment.text.lstrip().startswith('<section id="task"')
    for response in (page, fragment):
        assert "HX-Request" in response.headers.get("Vary", "")


def test_boosted_and_history_restore_requests_get_the_full_page(signed_in, claimed):
    for extra in ({"HX-Boosted": "true"}, {"HX-History-Restore-Request": "true"}):
        response = signed_in.get(f"/tasks/{claimed}", headers={**HX, **extra})
        assert "<html" in response.text, extra


def test_task_page_shows_prompt_keys_progress_and_panels(signed_in, claimed, session):
    html = signed_in.get(f"/tasks/{claimed}").text
    assert "Question 0?" in html
    assert '<h2 class="role">user</h2>' in html
    # Progress: nothing done yet, two more items after this one.
    assert re.search(r"<strong>0</strong> done today", html)
    assert re.search(r"<strong>2</strong> remaining for you", html)
    # Kind keys and workbench keys are listed in the help overlay.
    help_table = html[html.index('aria-label="Keyboard shortcuts"') :]
    for key in ("1", "2", "3", "?", "i", "x", "Ctrl+Enter", "Escape"):
        assert f"<kbd>{key}</kbd>" in help_table, key
    assert 'data-shortcut="i"' in html
    assert 'data-shortcut="x"' in html
    # Model output lives in hx-disable containers; the draft endpoint is announced for autosave.
    assert 'class="conversation" aria-label="Prompt" hx-disable' in html
    assert f'data-draft-url="/tasks/{claimed}/draft"' in html


def test_instructions_are_one_key_away(make_user, make_project, import_rows, web):
    from helpers import pair_rows

    expert = make_user("expert")
    project = make_project("instr", members=[(expert, "expert")], instructions="Prefer **correct** answers.")
    import_rows(project, pair_rows(1))
    web.login(expert.email)
    location = web.post("/p/instr/next").headers["Location"]
    html = web.get(location).text
    panel = html[html.index('data-panel="instructions"') :]
    assert "Prefer <strong>correct</strong> answers." in panel[: panel.index("</details>")]


def test_submit_by_htmx_swaps_in_the_next_task_and_pushes_its_url(signed_in, claimed, session):
    html = signed_in.get(f"/tasks/{claimed}").text
    choice = other_response_ids(html)[0]
    response = signed_in.post(f"/tasks/{claimed}/judgment", {"preferred": choice}, headers=HX)
    assert response.status_code == 200
    assert "<html" not in response.text
    following = int(re.search(r'data-assignment="(\d+)"', response.text).group(1))
    assert following != claimed
    assert response.headers["HX-Push-Url"] == f"/tasks/{following}"
    assert f'data-cleared="{claimed}"' in response.text  # the browser forgets its local copy
    assert re.search(r"<strong>1</strong> done today", response.text)
    judgment = session.scalar(select(Judgment).where(Judgment.assignment_id == claimed))
    assert judgment.answers == {"preferred": choice}


def test_submit_without_javascript_redirects_to_the_next_task(signed_in, claimed):
    choice = other_response_ids(signed_in.get(f"/tasks/{claimed}").text)[0]
    response = signed_in.post(f"/tasks/{claimed}/judgment", {"preferred": choice})
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/tasks/")
    assert response.headers["Location"] != f"/tasks/{claimed}"


def test_invalid_answer_is_refused_with_the_field_path_and_nothing_is_written(signed_in, claimed, session):
    response = signed_in.post(f"/tasks/{claimed}/judgment", {"preferred": "r9"}, headers=HX)
    assert response.status_code == 422
    assert "Choose A, B or Tie." in response.text
    assert 'role="alert"' in response.text
    assert session.scalar(select(Judgment).where(Judgment.assignment_id == claimed)) is None


def test_skip_needs_a_reason(signed_in, claimed, session):
    response = signed_in.post(f"/tasks/{claimed}/skip", {}, headers=HX)
    assert response.status_code == 422
    assert "Choose why you skip" in response.text
    assert 'data-panel="skip" open' in response.text
    response = signed_in.post(f"/tasks/{claimed}/skip", {"reason": "other", "comment": "  "}, headers=HX)
    assert response.status_code == 422
    session.expire_all()
    assert session.get(Assignment, claimed).status is AssignmentStatus.LEASED


def test_skip_records_the_reason_frees_the_slot_and_loads_the_next_task(signed_in, claimed, session):
    response = signed_in.post(f"/tasks/{claimed}/skip", {"reason": "expertise", "comment": "cardiology"}, headers=HX)
    assert response.status_code == 200
    assert "Skipped. Here is the next task." in response.text
    following = int(re.search(r'data-assignment="(\d+)"', response.text).group(1))
    assert following != claimed
    assert response.headers["HX-Push-Url"] == f"/tasks/{following}"
    session.expire_all()
    skipped = session.get(Assignment, claimed)
    assert skipped.status is AssignmentStatus.SKIPPED
    assert skipped.skip_reason == "Outside my expertise: cardiology"
    assert session.get(Item, skipped.item_id).assigned_count == 0


def test_skip_without_javascript_redirects(signed_in, claimed):
    response = signed_in.post(f"/tasks/{claimed}/skip", {"reason": "unclear"})
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/tasks/")


def test_last_task_done_shows_all_done(make_user, make_project, import_rows, web):
    from helpers import pair_rows

    expert = make_user("expert")
    project = make_project("one", members=[(expert, "expert")])
    import_rows(project, pair_rows(1))
    web.login(expert.email)
    location = web.post("/p/one/next").headers["Location"]
    assignment_id = int(location.rsplit("/", 1)[1])
    choice = other_response_ids(web.get(location).text)[0]
    response = web.post(f"{location}/judgment", {"preferred": choice}, headers=HX)
    assert response.status_code == 200
    assert "All done" in response.text
    assert f'data-cleared="{assignment_id}"' in response.text
    assert response.headers["HX-Push-Url"] == "/p/one?done=1"


def test_someone_elses_task_is_a_404(claimed, make_user, app):
    from helpers import Browserless

    intruder = make_user("expert")
    other = Browserless(app.test_client())
    other.login(intruder.email)
    for method, url in (
        ("get", f"/tasks/{claimed}"),
        ("get", f"/tasks/{claimed}/draft"),
        ("post", f"/tasks/{claimed}/skip"),
    ):
        response = getattr(other, method)(url)
        assert response.status_code == 404, (method, url)
    response = other.client.put(
        f"/tasks/{claimed}/draft", json={"fields": {}, "client_saved_at": 1}, headers={"X-CSRFToken": other.token}
    )
    assert response.status_code == 404


def test_pages_need_a_signed_in_user(client, project):
    assert client.get("/p/wb/history").status_code in (302, 303)
    assert client.get("/tasks/1").status_code in (302, 303)


def test_post_without_csrf_token_is_refused(signed_in, claimed, session):
    response = signed_in.client.post(f"/tasks/{claimed}/skip", data={"reason": "unclear"})
    assert response.status_code == 400
    session.expire_all()
    assert session.get(Assignment, claimed).status is AssignmentStatus.LEASED
