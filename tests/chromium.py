"""Browser fixtures: Debian's Chromium driven by Playwright against a live server.

A pytest plugin loaded by the root conftest, so every folder shares one Chromium: two
session-scoped Playwright instances in one process refuse to start.

Playwright's own browser download does not work here; we launch the system
Chromium through ``executable_path``. Without it the browser tests skip and say
how to install it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from helpers import ARTIFACTS

CHROMIUM = os.environ.get("ANNOTATE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
# Flags that keep a headless Chromium quiet on a machine without network access.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(
            "Chromium not found: install Debian's chromium (sudo apt-get install chromium) or set ANNOTATE_CHROMIUM"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Playwright is not installed: run `make test`, which installs the test extras")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, request):
    """A fresh browser page on the live server; failures leave a screenshot in test-artifacts/."""
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.dialogs = dialogs  # tests assert that model output never opens a dialog
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-failure.png"), full_page=True)
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
