"""The export page in Chromium: build a dataset folder in the background and watch it finish."""

from __future__ import annotations

import pytest

from annotate.models import ProjectRole, Role
from annotate.projects.services import add_member
from helpers import PASSWORD, screenshot, sign_in

pytestmark = pytest.mark.browser


def test_build_a_folder_and_watch_the_progress(page, build, session, make_user):
    project = build("pairwise")
    researcher = make_user(Role.RESEARCHER, email="exporter@example.org")
    add_member(session, project, researcher, ProjectRole.RESEARCHER)
    session.commit()
    sign_in(page, "exporter@example.org", PASSWORD)
    page.goto(f"/p/{project.slug}/exports")
    page.select_option("#dir-format", "reward")
    page.select_option("#dir-form", "parquet")
    page.click("text=Build folder")
    page.wait_for_url(f"**/p/{project.slug}/exports/*")
    # htmx polls the status widget until the export completes, without a reload.
    page.wait_for_selector('[data-status="complete"]', timeout=60_000)
    text = page.inner_text("#export-status")
    assert "3 rows" in text and "data/train.parquet" in text and "manifest.json" in text
    assert "item: the experts call it a tie: 1" in text
    screenshot(page, "export-folder-complete")
    with page.expect_download() as download:
        page.click("text=manifest.json")
    assert download.value.suggested_filename.endswith("manifest.json")
    assert page.dialogs == []
