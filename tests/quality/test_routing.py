"""Scores route adjudication to the strongest qualified adjudicators; the report is kept while
nothing it rests on changes, and computed again when something does."""

from __future__ import annotations

import pytest

from annotate.assign.adjudication import claim_adjudication
from annotate.assign.services import NotQualified
from annotate.models import Adjudication, ProjectMember, QualitySnapshot
from annotate.quality.services import project_report

PAIRWISE = {"allow_tie": True, "rationale": "optional"}
RIGHT = {"a": 6, "b": 5, "c": 4, "d": 1}  # gold items each expert gets right, of six


@pytest.fixture
def disputed(seed, session):
    project = seed.project("pairwise", overlap=2, config=PAIRWISE)
    project.adjudication_threshold = 100
    for n in range(6):
        item = seed.item(project, f"g{n}", gold={"preferred": "r1"})
        for name, right in RIGHT.items():
            seed.judge(project, item, name, {"preferred": "r1" if n < right else "r2"})
    item = seed.item(project, "split")
    seed.judge(project, item, "x", {"preferred": "r1"})
    seed.judge(project, item, "y", {"preferred": "r2"})
    session.add(Adjudication(project_id=project.id, item_id=item.id, agreement_pct=50))
    for member in session.query(ProjectMember).filter_by(project_id=project.id):
        member.adjudicator = seed.experts["x"].id != member.user_id != seed.experts["y"].id
    session.commit()
    return project


def test_adjudication_goes_to_the_strongest(session, seed, disputed):
    with pytest.raises(NotQualified, match="3 adjudicators with the highest quality scores"):
        claim_adjudication(session, disputed, seed.experts["d"])
    session.rollback()
    assignment = claim_adjudication(session, disputed, seed.experts["a"])
    assert assignment is not None
    session.commit()


def test_an_unqualified_adjudicator_is_refused(session, seed, disputed):
    disputed.qualification_size = 1
    session.commit()
    with pytest.raises(NotQualified, match="not passed this project's qualification test"):
        claim_adjudication(session, disputed, seed.experts["a"])


def test_the_report_is_kept_until_a_judgment_changes(session, seed, disputed):
    first = project_report(session, disputed, store=True)
    session.commit()
    kept = session.get(QualitySnapshot, disputed.id)
    assert kept.report == first
    kept.report = {**first, "judgments": -1}  # a marker: the kept copy is what the next read returns
    session.commit()
    assert project_report(session, disputed)["judgments"] == -1
    seed.judge(disputed, seed.item(disputed, "late"), "a", {"preferred": "r1"})
    session.commit()
    fresh = project_report(session, disputed)
    assert fresh["judgments"] == first["judgments"] + 1


def test_researchers_keep_the_figures_from_the_page(session, seed, disputed, web, make_user):
    from annotate.models import ProjectRole, Role
    from annotate.projects.services import add_member

    lead = make_user(Role.RESEARCHER)
    add_member(session, disputed, lead, ProjectRole.RESEARCHER)
    session.commit()
    web.login(lead.email)
    assert "Keep these figures" in web.get(f"/p/{disputed.slug}/quality").text
    assert web.post(f"/p/{disputed.slug}/quality/keep").status_code == 303
    assert session.get(QualitySnapshot, disputed.id) is not None
    page = web.get(f"/p/{disputed.slug}/quality").text
    assert "nothing has changed since: they are exact" in page
    assert "Keep these figures" not in page


@pytest.fixture
def big(app):
    """The page's live limit at 5 judgments, so a small project is a large one."""
    app.config["QUALITY_LIVE_LIMIT"] = 5
    return app


def test_a_large_project_is_computed_by_a_worker_and_then_shown_at_once(big, session, seed, disputed, web, make_user):
    from annotate.models import Job, ProjectRole, Role
    from annotate.projects.services import add_member

    lead = make_user(Role.RESEARCHER)
    add_member(session, disputed, lead, ProjectRole.RESEARCHER)
    session.commit()
    web.login(lead.email)
    before = web.get(f"/p/{disputed.slug}/quality").text
    assert "its figures are computed in the background" in before
    assert "Compute the figures" in before
    assert web.post(f"/p/{disputed.slug}/quality/keep").status_code == 303  # the job runs (QUEUE_IMMEDIATE)
    assert session.query(Job).filter_by(kind="quality").one().status.value == "done"
    after = web.get(f"/p/{disputed.slug}/quality").text
    assert "nothing has changed since: they are exact" in after
    assert "a@example.org" in after
    seed.judge(disputed, seed.item(disputed, "late"), "a", {"preferred": "r1"})
    session.commit()
    stale = web.get(f"/p/{disputed.slug}/quality").text
    assert "They are not current" in stale
    assert "a@example.org" in stale  # the kept figures, marked as such
