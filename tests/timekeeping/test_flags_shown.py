"""Flags reach people and data: reviewers see them with their values, researchers filter by them
in the data browser and its API and see a rate per person, every export can leave flagged
judgments out, and the dataset card reports the time and the flagged share. Experts are told
what is measured."""

from __future__ import annotations

import re

import orjson
import pytest
from helpers import spend

from annotate.assign.services import claim_next, submit_judgment
from annotate.models import Judgment
from annotate.projects.services import edit_terms

PASTED = {"interactions": 5, "fields": {"rationale": {"typed": 10, "pasted": 500, "pastes": 1, "paste_sizes": [500]}}}
TYPED = {"interactions": 40, "fields": {"rationale": {"typed": 300, "first_key_ms": 5200}}}


@pytest.fixture
def judged(session, project, expert):
    """Three judgments: pasted in a hurry (too fast, mostly pasted), careful (no flag), and submitted
    by a script that never interacted (too fast, idle). Returns their ids in that order."""
    ids = []
    for seconds, signals in ((4, PASTED), (95, TYPED), (0, {"interactions": 0, "fields": {}})):
        task = claim_next(session, project, expert)
        if seconds:
            spend(session, task, seconds)
        judgment, _created = submit_judgment(session, task, project, {"preferred": "r1"}, signals=signals)
        ids.append(judgment.id)
    session.commit()
    return ids


def test_reviewers_and_researchers_see_flags_filter_by_them_and_see_a_rate_per_person(
    session, project, judged, researcher, as_researcher, make_token, client
):
    hurried, careful, idle = judged
    page = as_researcher.get(f"/review/judgments/{hurried}")
    assert page.status_code == 200
    assert 'data-flags="too_fast mostly_pasted"' in page.text
    assert "98% of the text pasted or dropped, above 50%" in page.text
    assert "4 active seconds, below the minimum of 10" in page.text
    assert "How the text was entered" in page.text

    def listed(**query):
        response = as_researcher.get("/p/tk/judgments", query_string=query)
        return response, {int(i) for i in re.findall(r'name="id" value="(\d+)"', response.text)}

    assert listed(flag="too_fast")[1] == {hurried, idle}
    assert listed(flag="mostly_pasted")[1] == {hurried}
    assert listed(flag="none")[1] == {careful}
    assert listed(flag="any")[1] == {hurried, idle}
    refused, _ids = listed(flag="sloppy")
    assert refused.status_code == 422
    assert 'id="flag-problem"' in refused.text

    bearer = {"Authorization": f"Bearer {make_token(researcher)}"}
    api = client.get("/api/v1/projects/tk/judgments", query_string={"flag": "idle_submit"}, headers=bearer).json
    assert [(j["id"], sorted(j["flags"])) for j in api["judgments"]] == [(idle, ["idle_submit", "too_fast"])]

    item = as_researcher.get(f"/p/tk/items/{session.get(Judgment, careful).item_id}")
    assert "Active <strong>1 min 35 s</strong> in 1 stretch" in item.text
    people = as_researcher.get("/p/tk/progress", query_string={"part": "people"}, headers={"HX-Request": "true"})
    assert "67%</a>" in people.text  # two of Ada's three judgments carry a flag


def test_every_export_can_leave_flagged_judgments_out_and_the_card_says_how_long_judgments_took(
    session, project, judged, researcher, as_researcher, runner, tmp_path
):
    hurried, careful, idle = judged
    raw = runner.invoke(args=["export", "tk", "--format", "raw"])
    records = [orjson.loads(line) for line in raw.stdout_bytes.splitlines()]
    assert [(r["judgment_id"], r["active_seconds"], r["interval_count"], sorted(r["flags"])) for r in records] == [
        (hurried, 4, 1, ["mostly_pasted", "too_fast"]),
        (careful, 95, 1, []),
        (idle, 0, 0, ["idle_submit", "too_fast"]),
    ]
    kept = runner.invoke(args=["export", "tk", "--format", "trl", "--unit", "judgment", "--exclude-flagged"])
    assert kept.exit_code == 0, kept.output
    assert len(kept.stdout_bytes.splitlines()) == 1
    assert "left out 2: judgment: flagged" in kept.stderr

    web = as_researcher.post("/p/tk/export", {"format": "raw", "exclude_flagged": "1"})
    assert [orjson.loads(line)["judgment_id"] for line in web.data.splitlines()] == [careful]

    folder = runner.invoke(args=["export", "tk", "--format", "raw", "--out", f"{tmp_path}/ds/"])
    assert folder.exit_code == 0, folder.output
    card = (tmp_path / "ds" / "README.md").read_text()
    assert "Median active time per judgment: **4 s**" in card  # of 0, 4 and 95 seconds
    assert "Flagged: **66.7%** (2 of 3)" in card


def test_the_terms_page_tells_experts_what_is_measured(session, project, researcher, as_expert):
    edit_terms(session, project, "Be careful.", by=researcher)
    session.commit()
    terms = as_expert.get("/p/tk/terms").text
    assert "What is measured while you work" in terms
    assert "a pause longer than 60 seconds is not counted" in terms
    assert "Counts only" in terms
