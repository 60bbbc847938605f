"""A researcher imports a file in Chromium: upload, preview (model output rendered inert),
confirm, and the progress widget polls until the summary shows."""

from __future__ import annotations

import orjson
import pytest
from helpers import PASSWORD, screenshot, sign_in
from sqlalchemy import func, select

from annotate.models import Item

pytestmark = pytest.mark.browser


def test_upload_preview_import_and_live_progress(page, make_user, make_project, session, tmp_path):
    researcher = make_user("researcher", email="importer@example.org")
    make_project("browser-import", members=[(researcher, "researcher")])
    rows = [
        {
            "prompt": f"Question {i}?",
            "chosen": f"**Good** answer {i} <script>alert(1)</script><img src=x onerror=alert(2)>",
            "rejected": f"Bad answer {i}",
        }
        for i in range(25)
    ]
    path = tmp_path / "prefs.jsonl"
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))

    sign_in(page, "importer@example.org", PASSWORD)
    page.goto("/p/browser-import/import")
    page.set_input_files("#file", str(path))
    page.click("text=Upload and preview")
    page.wait_for_selector("text=First rows, as experts will see them")
    main = page.inner_text("main")
    assert "trl" in main
    assert "25" in main
    assert page.locator(".response strong", has_text="Good").count() >= 1
    assert page.locator("main script").count() == 0
    screenshot(page, "ingest-preview")

    page.click("button:has-text('Import 25 rows')")
    page.wait_for_selector("#import-progress >> text=Complete", timeout=30_000)
    assert "25" in page.inner_text("#import-progress")
    screenshot(page, "ingest-complete")
    assert page.dialogs == []
    session.rollback()
    assert session.scalar(select(func.count()).select_from(Item)) == 25
