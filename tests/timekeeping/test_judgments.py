"""What a submit records: the server's active time (never the client's), the page's signals
(bounded), and the flags with the values that raised them; a changed judgment keeps both sittings."""

from __future__ import annotations

import orjson
from helpers import spend

from annotate.assign.services import claim_next
from annotate.models import Judgment

PASTED = {
    "interactions": 6,
    "fields": {
        "rationale": {
            "typed": 20,
            "pasted": 300,
            "dropped": 0,
            "restored": 0,
            "deleted": 4,
            "pastes": 1,
            "paste_sizes": [300],
            "first_key_ms": 4100,
            "focus_lost": True,
        }
    },
}


def judgment_of(session, assignment_id: int) -> Judgment:
    session.expire_all()
    judgment = session.query(Judgment).filter_by(assignment_id=assignment_id).one()
    session.rollback()
    return judgment


def test_a_web_submit_records_the_servers_time_the_signals_and_the_flags(session, project, expert, as_expert):
    task = claim_next(session, project, expert)
    spend(session, task, 5)  # heartbeats, as the page would have sent them: 5 s of work
    session.commit()
    response = as_expert.post(
        f"/tasks/{task.id}/judgment",
        {"preferred": "r1", "rationale": "x" * 316, "signals": orjson.dumps(PASTED).decode(), "active_seconds": "9999"},
    )
    assert response.status_code == 303, response.text
    judgment = judgment_of(session, task.id)
    assert (judgment.active_seconds, judgment.interval_count) == (5, 1)  # the form's 9999 is not read
    assert judgment.signals == PASTED
    assert judgment.flags == {
        "too_fast": {"value": 5, "limit": 10},
        "mostly_pasted": {"value": 0.938, "limit": 0.5, "characters": 300},
    }
    assert judgment.flag_bits == 1 | 2


def test_a_template_sets_its_minimum_and_an_edit_counts_both_sittings(session, project, expert, as_expert):
    project.template = {**project.template, "timing": {"min_active_seconds": 100}}
    task = claim_next(session, project, expert)
    spend(session, task, 60)
    session.commit()
    typed = {"interactions": 9, "fields": {"rationale": {"typed": 80, "first_key_ms": 3000}}}
    as_expert.post(f"/tasks/{task.id}/judgment", {"preferred": "r1", "signals": orjson.dumps(typed).decode()})
    first = judgment_of(session, task.id)
    assert first.flags == {"too_fast": {"value": 60, "limit": 100}}

    spend(session, session.get(type(task), task.id), 50)  # back later, from the history page, to change it
    session.commit()
    more = {"interactions": 2, "fields": {"rationale": {"pasted": 400, "pastes": 1, "paste_sizes": [400]}}}
    response = as_expert.post(f"/tasks/{task.id}/judgment", {"preferred": "r2", "signals": orjson.dumps(more).decode()})
    assert response.status_code in (200, 303), response.text
    changed = judgment_of(session, task.id)
    assert (changed.active_seconds, changed.interval_count) == (110, 2)
    rationale = changed.signals["fields"]["rationale"]
    assert (rationale["typed"], rationale["pasted"], rationale["first_key_ms"]) == (80, 400, 3000)
    assert changed.signals["interactions"] == 11
    assert set(changed.flags) == {"mostly_pasted"}  # 110 s is no longer too fast; 400 of 480 pasted


def test_signals_the_page_cannot_have_sent_are_ignored_on_the_web_and_refused_by_the_api(
    session, project, expert, as_expert, make_token, client
):
    task = claim_next(session, project, expert)
    session.commit()
    response = as_expert.post(f"/tasks/{task.id}/judgment", {"preferred": "r1", "signals": '{"fields": 7}'})
    assert response.status_code == 303  # work is never refused for what a script sent
    judgment = judgment_of(session, task.id)
    assert judgment.signals is None
    # No heartbeat ever and nothing recorded: submitted without any sign of interaction.
    assert judgment.flags == {
        "too_fast": {"value": 0, "limit": 10},
        "idle_submit": {"value": 0, "limit": 1, "heartbeats": 0},
    }

    bearer = {"Authorization": f"Bearer {make_token(expert)}"}
    claimed = client.post("/api/v1/projects/tk/assignments", headers=bearer).json
    url = claimed["judgment_url"]
    bad = {
        "answers": {"preferred": "r1"},
        "signals": {"fields": {"rationale": {"typed": -1, "paste_sizes": list(range(60)), "secret": 1}}, "mood": 1},
    }
    refused = client.post(url, json=bad, headers=bearer)
    assert refused.status_code == 422
    assert {p["path"] for p in refused.json["problems"]} == {
        "signals.mood",
        "signals.fields.rationale.secret",
        "signals.fields.rationale.typed",
        "signals.fields.rationale.paste_sizes",
    }
    huge = {"answers": {"preferred": "r1"}, "signals": {"fields": {f"f{i}": {} for i in range(51)}}}
    assert client.post(url, json=huge, headers=bearer).status_code == 422


def test_the_api_ignores_client_durations_and_counts_its_heartbeats(session, project, expert, make_token, client):
    bearer = {"Authorization": f"Bearer {make_token(expert)}"}
    claimed = client.post("/api/v1/projects/tk/assignments", headers=bearer).json
    assignment_id = claimed["assignment"]["id"]
    beat = {"activity": "task", "target": assignment_id, "since_ms": 3_600_000}
    for _ in range(3):
        counted = client.post("/api/v1/heartbeats", json=beat, headers=bearer)
        assert counted.status_code == 200, counted.text
    answered = client.post(
        claimed["judgment_url"], json={"answers": {"preferred": "r1"}, "active_seconds": 86_400}, headers=bearer
    )
    assert answered.status_code == 201, answered.text
    judgment = judgment_of(session, assignment_id)
    assert judgment.interval_count == 1
    assert judgment.active_seconds <= 15 + 1  # one heartbeat period back at most, plus the requests' own time
    assert "idle_submit" not in (judgment.flags or {})  # heartbeats arrived: an API client has no page signals
    assert client.post("/api/v1/heartbeats", json={"activity": "task"}, headers=bearer).status_code == 422
    assert client.post("/api/v1/heartbeats", json=beat).status_code == 401
