"""Import in Chromium when the preview already shows failing rows: Import is off until the
mapping fixes them or the researcher skips them (told how many); blank CSV cells are errors."""

from __future__ import annotations

import pytest
from helpers import PASSWORD, screenshot, sign_in
from sqlalchemy import func, select

from annotate.models import Item

pytestmark = pytest.mark.browser


def write_csv(tmp_path):
    lines = ["question,answer_a,answer_b,extra"]
    for i in range(12):
        b = "" if i in (3, 7) else f"Second answer {i}"  # two blank cells in a required column
        lines.append(f"Question {i}?,First answer {i},{b},x{i}")
    path = tmp_path / "pairs.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def upload_and_map(page, path):
    page.goto("/p/csv-import/import")
    page.set_input_files("#file", str(path))
    page.click("text=Upload and preview")
    page.wait_for_selector("text=First rows, as experts will see them")
    if not page.locator("#map_prompt").is_visible():
        page.click("summary:has-text('Map the columns yourself')")
    page.fill("#map_prompt", "question")
    page.fill("#map_responses", "answer_a,answer_b")
    page.click("button:has-text('Update preview')")
    page.wait_for_url("**map_prompt=question*")


def test_import_is_off_until_invalid_rows_are_skipped(page, make_user, make_project, session, tmp_path):
    researcher = make_user("researcher", email="csv@example.org")
    make_project("csv-import", members=[(researcher, "researcher")])
    sign_in(page, "csv@example.org", PASSWORD)
    upload_and_map(page, write_csv(tmp_path))
    alert = page.locator("#invalid-rows")
    assert "2 of 12 rows would fail" in alert.inner_text()
    assert "line 5: responses[1].content: is blank" in alert.inner_text()
    button = page.locator("#import-button")
    assert button.is_disabled()
    label = page.locator("label:has(#skip_invalid)").inner_text()
    assert "Skip the 2 invalid rows" in label
    assert "--" not in page.inner_text("main")  # no command-line flags on the page
    screenshot(page, "ingest-invalid-rows")
    page.check("#skip_invalid")
    assert button.is_enabled()
    button.click()
    page.wait_for_selector("#import-progress >> text=Complete", timeout=30_000)
    progress = page.inner_text("#import-progress")
    assert "Skipped" in progress
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Item)) == 10
    assert page.dialogs == []


def test_without_javascript_the_same_choice_works(browser, live_server, make_user, make_project, session, tmp_path):
    researcher = make_user("researcher", email="nojs@example.org")
    make_project("csv-import", members=[(researcher, "researcher")])
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, "nojs@example.org", PASSWORD)
        upload_and_map(page, write_csv(tmp_path))
        assert page.locator("#import-button").is_disabled()
        page.check("#skip_invalid")
        assert page.locator("#import-button").is_disabled()  # no script: update the preview
        page.click("button:has-text('Update preview')")
        page.wait_for_url("**skip_invalid=on*")
        assert page.locator("#import-button").is_enabled()
        assert "Import 10 rows" in page.inner_text("#import-button")
    finally:
        context.close()
