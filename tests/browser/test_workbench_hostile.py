"""Hostile model output renders inert in Chromium, and the raw export keeps it exactly as imported."""

from __future__ import annotations

import orjson
import pytest
from helpers import PASSWORD, screenshot, sign_in

pytestmark = pytest.mark.browser

RLO = "\u202e"  # right-to-left override
HOSTILE_PROMPT = (
    "Summarise this page: <script>alert('prompt-script')</script>\n\n"
    "<img src=x onerror=\"alert('prompt-img')\"> and {{7*7}} and {{ config }}"
)
HOSTILE_A = (
    "Sure! <svg onload=\"alert('svg')\"><circle r=1></svg>\n\n"
    "[a harmless link](javascript:alert('link'))\n\n"
    "![pixel](https://tracker.invalid/pixel.png)\n\n"
    '<a hx-get="/hx-probe-a" hx-trigger="load">load me</a>\n\n'
    f"Invoice total: {RLO}fdp.exe{RLO} {{{{7*7}}}}\n\n"
    "$\\href{javascript:alert('math')}{click}$"
)
HOSTILE_B = (
    '<div hx-get="/hx-probe-b" hx-trigger="load" hx-on:htmx:load="alert(\'hx-on\')">b</div>\n\n'
    "<iframe src=\"javascript:alert('iframe')\"></iframe>\n\n"
    "[data link](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)\n\n"
    '<form action="/logout" method="post"><button>x</button></form>\n\n'
    "```html\n<script>alert('code-block')</script>\n```"
)


def test_hostile_content_is_inert_and_exported_verbatim(
    page, live_server, make_user, make_project, import_rows, make_token, client, session
):
    expert = make_user("expert", email="hostile@example.org")
    researcher = make_user("researcher")
    project = make_project("hostile", members=[(expert, "expert"), (researcher, "researcher")])
    row = {
        "id": "evil-1",
        "prompt": [{"role": "user", "content": HOSTILE_PROMPT}],
        "responses": [
            {"id": "r1", "content": HOSTILE_A, "model": "m-a"},
            {"id": "r2", "content": HOSTILE_B, "model": "m-b"},
        ],
    }
    import_rows(project, [row])
    session.commit()  # end the arranging transaction: the live server writes next

    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    sign_in(page, "hostile@example.org", PASSWORD)
    page.goto("/p/hostile")
    page.get_by_role("button", name="Start judging").press("Enter")
    page.wait_for_url("**/tasks/*")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)  # give any hx-trigger="load" or onerror a chance to fire
    screenshot(page, "workbench-hostile")

    assert page.dialogs == []
    unexpected = [u for u in requests if not u.startswith(live_server)]
    assert unexpected == []
    probes = [u for u in requests if "hx-probe" in u or "/logout" in u]
    assert probes == []
    # Nothing executable reached the DOM inside the task.
    for selector in (
        "#task script",
        "#task img[onerror]",
        "#task svg",
        "#task iframe",
        "#task [hx-get]",
        "#task a[href^=javascript]",
        "#task a[href^=data]",
        "#task form[action$=logout]",
        "#task img",
    ):
        assert page.locator(selector).count() == 0, selector
    text = page.locator("#task").inner_text()
    assert "{{7*7}}" in text
    assert "49" not in text
    assert "<script>alert('code-block')</script>" in text  # code shows as code
    assert RLO + "fdp.exe" + RLO in text
    assert set(
        page.locator("#task .content").evaluate_all("els => els.map(el => getComputedStyle(el).unicodeBidi)")
    ) == {"isolate"}

    # Judge it by keyboard, then the raw export has every byte as imported.
    page.keyboard.press("3")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("text=All done")
    assert page.dialogs == []
    response = client.get(
        "/api/v1/projects/hostile/export?format=raw", headers={"Authorization": f"Bearer {make_token(researcher)}"}
    )
    assert response.status_code == 200, response.text
    records = [orjson.loads(line) for line in response.data.splitlines() if line.strip()]
    assert len(records) == 1
    exported = orjson.dumps(records[0]).decode()
    for original in (HOSTILE_PROMPT, HOSTILE_A, HOSTILE_B):
        assert orjson.dumps(original).decode() in exported
