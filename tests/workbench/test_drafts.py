"""Drafts: autosave endpoint, newest-wins across tabs, restore into the page, kept after a lost lease."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from annotate.db import utcnow
from annotate.models import Assignment, AssignmentStatus, Draft, Item, ProjectRole
from annotate.projects.services import add_member

HX = {"HX-Request": "true"}


def put_draft(web, assignment_id, fields, stamp, **kw):
    headers = {"X-CSRFToken": web.token, **kw.pop("headers", {})}
    return web.client.put(
        f"/tasks/{assignment_id}/draft", json={"fields": fields, "client_saved_at": stamp}, headers=headers, **kw
    )


def test_no_draft_is_204(signed_in, claimed):
    assert signed_in.get(f"/tasks/{claimed}/draft").status_code == 204


def test_saved_draft_comes_back_and_fills_the_page(signed_in, claimed, session):
    response = put_draft(
        signed_in, claimed, {"preferred": ["r2"], "rationale": ["B cites sources"], "csrf_token": ["x"]}, 1000
    )
    assert response.status_code == 200
    assert response.get_json()["stored"] is True
    body = signed_in.get(f"/tasks/{claimed}/draft").get_json()
    assert body["fields"] == {"preferred": ["r2"], "rationale": ["B cites sources"]}  # never the CSRF token
    assert body["client_saved_at"] == 1000
    # Without JavaScript the page itself shows the draft: the radio is checked, the text is there.
    html = signed_in.get(f"/tasks/{claimed}").text
    assert 'value="r2" data-key' in html
    radio = html[html.index('value="r2" data-key') :]
    assert "checked" in radio[: radio.index(">")]
    assert "B cites sources</textarea>" in html
    assert "data-draft='" in html
    assert "Draft restored from the server." in html


def test_an_older_copy_does_not_overwrite_a_newer_draft(signed_in, claimed, session):
    put_draft(signed_in, claimed, {"rationale": ["newer, from tab B"]}, 2000)
    stale = put_draft(signed_in, claimed, {"rationale": ["older, resent after a network drop"]}, 1500)
    assert stale.status_code == 200
    assert stale.get_json()["stored"] is False
    assert stale.get_json()["fields"] == {"rationale": ["newer, from tab B"]}
    draft = session.scalar(select(Draft).where(Draft.assignment_id == claimed))
    assert draft.fields == {"rationale": ["newer, from tab B"]}
    assert draft.client_saved_at == 2000


def test_bad_draft_bodies_are_refused_with_the_place(signed_in, claimed, session):
    cases = [
        ({"fields": ["not", "an", "object"], "client_saved_at": 1}, "fields: expected an object"),
        ({"fields": {"rationale": [1]}, "client_saved_at": 1}, "fields.rationale[0]: expected a string"),
        ({"fields": {}, "client_saved_at": "soon"}, "client_saved_at"),
        ({"fields": {"rationale": ["x" * 1_000_001]}, "client_saved_at": 1}, "at most 1000000 characters"),
    ]
    for body, expected in cases:
        response = signed_in.client.put(f"/tasks/{claimed}/draft", json=body, headers={"X-CSRFToken": signed_in.token})
        assert response.status_code == 400, body
        assert expected in response.get_json()["error"]
    response = signed_in.client.put(f"/tasks/{claimed}/draft", data="nope", headers={"X-CSRFToken": signed_in.token})
    assert response.status_code == 400
    assert session.scalar(select(Draft)) is None


def test_oversized_draft_body_is_refused_before_parsing(signed_in, claimed, session):
    from annotate.workbench.drafts import DRAFT_MAX_BYTES

    body = b'{"fields": {"rationale": ["' + b"x" * DRAFT_MAX_BYTES + b'"]}, "client_saved_at": 1}'
    response = signed_in.client.put(
        f"/tasks/{claimed}/draft", data=body, content_type="application/json", headers={"X-CSRFToken": signed_in.token}
    )
    assert response.status_code == 413
    assert session.scalar(select(Draft)) is None


def test_draft_save_needs_the_csrf_header(signed_in, claimed, session):
    response = signed_in.client.put(f"/tasks/{claimed}/draft", json={"fields": {}, "client_saved_at": 1})
    assert response.status_code == 400
    assert session.scalar(select(Draft)) is None


def test_submit_discards_the_draft_and_closed_tasks_take_no_drafts(signed_in, claimed, session):
    put_draft(signed_in, claimed, {"preferred": ["r1"]}, 1000)
    assert signed_in.post(f"/tasks/{claimed}/judgment", {"preferred": "r1"}, headers=HX).status_code == 200
    assert session.scalar(select(Draft).where(Draft.assignment_id == claimed)) is None
    late = put_draft(signed_in, claimed, {"preferred": ["r2"]}, 2000)
    assert late.status_code == 409
    assert "submitted" in late.get_json()["error"]


def test_skip_discards_the_draft(signed_in, claimed, session):
    put_draft(signed_in, claimed, {"rationale": ["half done"]}, 1000)
    signed_in.post(f"/tasks/{claimed}/skip", {"reason": "unclear"}, headers=HX)
    assert session.scalar(select(Draft).where(Draft.assignment_id == claimed)) is None


def test_a_late_submit_refused_for_a_lost_lease_keeps_the_draft(signed_in, claimed, session, make_user, app, project):
    """The lease expires, another expert takes the only slot, then the first expert submits."""
    from helpers import Browserless

    put_draft(signed_in, claimed, {"rationale": ["typed before lunch"]}, 1000)
    assignment = session.get(Assignment, claimed)
    session.execute(
        update(Assignment).where(Assignment.id == claimed).values(expires_at=utcnow() - timedelta(minutes=1))
    )
    session.commit()
    rival = make_user("expert")
    add_member(session, project, rival, ProjectRole.EXPERT)
    session.commit()
    other = Browserless(app.test_client())
    other.login(rival.email)
    taken = other.post("/p/wb/next")
    assert taken.status_code == 303
    session.expire_all()
    rival_assignment = session.scalar(select(Assignment).where(Assignment.expert_id == rival.id))
    assert rival_assignment.item_id == assignment.item_id  # the freed slot went to the rival

    response = signed_in.post(
        f"/tasks/{claimed}/judgment",
        {"preferred": "r1", "rationale": "my careful reasons", "signals": '{"interactions": 3, "fields": {}}'},
        headers=HX,
    )
    assert response.status_code == 409
    assert "lease on this task expired" in response.text
    session.expire_all()
    draft = session.scalar(select(Draft).where(Draft.assignment_id == claimed))
    assert draft is not None
    assert draft.fields["preferred"] == ["r1"]
    assert draft.fields["rationale"] == ["my careful reasons"]
    assert "csrf_token" not in draft.fields
    assert "signals" not in draft.fields  # the page's counts go with a submit, never into a draft
    # Reloading the task shows what was sent.
    assert "my careful reasons</textarea>" in signed_in.get(f"/tasks/{claimed}").text
    assert session.get(Assignment, claimed).status is AssignmentStatus.EXPIRED
    assert session.get(Item, assignment.item_id).assigned_count == 1
