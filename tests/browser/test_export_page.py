"""The export page in Chromium: build a dataset folder in the background and watch it finish."""

from __future__ import annotations

import pytest
from helpers import PASSWORD, pair_rows, screenshot, sign_in

from annotate.assign.services import claim_next, submit_judgment
from annotate.models import Role

pytestmark = pytest.mark.browser


def test_build_a_folder_and_watch_the_progress(page, make_user, make_project, import_rows, session):
    researcher = make_user(Role.RESEARCHER, email="exporter@example.org")
    expert = make_user(Role.EXPERT)
    project = make_project(
        "export-page", template="pairwise", overlap=1, members=[(researcher, "researcher"), (expert, "expert")]
    )
    import_rows(project, pair_rows(3))
    while (assignment := claim_next(session, project, expert)) is not None:
        submit_judgment(session, assignment, project, {"preferred": "r2"})
        session.commit()
    session.commit()  # the last claim found nothing: end its writer's transaction before the server writes
    sign_in(page, "exporter@example.org", PASSWORD)
    page.goto("/p/export-page/exports")
    page.select_option("#dir-format", "reward")
    page.select_option("#dir-form", "parquet")
    page.click("text=Build folder")
    page.wait_for_url("**/p/export-page/exports/*")
    # htmx polls the status widget until the export completes, without a reload.
    page.wait_for_selector('[data-status="complete"]', timeout=60_000)
    text = page.inner_text("#export-status")
    assert "3 rows" in text
    assert "data/train.parquet" in text
    assert "manifest.json" in text
    screenshot(page, "export-folder-complete")
    with page.expect_download() as download:
        page.click("text=manifest.json")
    assert download.value.suggested_filename.endswith("manifest.json")
    assert page.dialogs == []
