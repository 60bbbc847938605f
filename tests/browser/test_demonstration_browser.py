"""The demonstration kind in Debian's Chromium: written by keyboard only (desktop and a phone-sized
screen) with the live, sanitised preview and the model draft; with JavaScript off (the preview
and "start from the draft" buttons); per-turn judgments submitted with the answer form; and
right-to-left text (Arabic and Hebrew mixed with English) shown in its direction."""

from __future__ import annotations

import copy

import pytest
from helpers import PASSWORD, screenshot, sign_in
from playwright.sync_api import expect
from rapidfuzz.distance import Levenshtein
from sqlalchemy import select

from annotate.models import Judgment

pytestmark = pytest.mark.browser

DRAFT = "Warfarin: avoid all green vegetables and never take painkillers."
REPLY = (
    "## Warfarin and food\n\nKeep vitamin K **steady** rather than avoiding it.\n\n"
    "- Ask before any new medicine, including aspirin and ibuprofen.\n- Limit alcohol.\n\n"
    "The INR target is usually $2 \\le INR \\le 3$."
)
ARABIC = "ما الفرق بين HTTP و HTTPS؟ أجب باختصار."
HEBREW = "תסביר בקצרה מה זה API."


def rows() -> list[dict]:
    return [
        {
            "id": "w1",
            "prompt": "My father was prescribed warfarin. What should he be careful with?",
            "draft": DRAFT,
            "draft_model": "m",
        }
    ]


def start(page, make_user, make_project, import_rows, session, *, slug: str, data: list[dict], template=None):
    expert = make_user("expert")
    project = make_project(slug, template="sft-demonstration", members=[(expert, "expert")])
    if template:
        document = copy.deepcopy(project.template)
        document.update(template)
        project.template = document
    import_rows(project, data)
    email = expert.email
    session.commit()
    sign_in(page, email, PASSWORD)
    page.goto(f"/p/{slug}")
    page.get_by_role("button", name="Start judging").press("Enter")
    page.wait_for_url("**/tasks/*")
    page.wait_for_selector("[data-kind=demonstration]")
    expect(page.locator("#task")).to_be_focused()
    return project


def focused(page) -> str:
    return page.evaluate(
        "() => { const e = document.activeElement; return e.tagName.toLowerCase() + ':' + (e.name || ''); }"
    )


def tab_to(page, wanted: str, limit: int = 30) -> None:
    for _ in range(limit):
        if focused(page) == wanted:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {wanted}; focus is on {focused(page)}")


def the_judgment(session) -> Judgment:
    session.rollback()
    return session.scalars(select(Judgment)).one()


@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 900}, {"width": 390, "height": 844}], ids=["desktop", "phone"]
)
def test_write_a_demonstration_by_keyboard(page, make_user, make_project, import_rows, session, viewport):
    page.set_viewport_size(viewport)
    start(page, make_user, make_project, import_rows, session, slug="demo-kb", data=rows())
    editor = page.locator("textarea[name=text]")
    expect(editor).to_have_value("")
    # "d": the draft goes into the editor (no page load) and the focus with it.
    page.keyboard.press("d")
    expect(editor).to_have_value(DRAFT)
    expect(editor).to_be_focused()
    expect(page.locator("[data-draft-started]")).to_have_value("1")
    # Rewrite it; the preview follows as the expert types, rendered and sanitised by the server.
    page.keyboard.press("Control+a")
    page.keyboard.type(REPLY + "\n\n<img src=x onerror=alert(1)>")
    preview = page.locator(".preview-body")
    expect(preview.locator("h2")).to_have_text("Warfarin and food")
    expect(preview.locator("math")).to_have_count(1)
    expect(preview.locator("img")).to_have_count(0)
    expect(page.locator("[data-count]")).to_contain_text("characters")
    # Out of the editor by Tab to the checklist; Space ticks each point.
    for name in ("check-correct", "check-complete", "check-safe"):
        tab_to(page, f"input:{name}")
        page.keyboard.press("Space")
    if viewport["width"] < 500:
        # On a phone the editor and the preview stack: nothing scrolls sideways.
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1")
        editor_box, preview_box = editor.bounding_box(), preview.bounding_box()
        assert preview_box["y"] > editor_box["y"] + editor_box["height"] - 1
        screenshot(page, "demonstration-phone")
    else:
        assert preview.bounding_box()["x"] > editor.bounding_box()["x"], "side by side on a wide screen"
        screenshot(page, "kind-demonstration", docs="screenshot-demonstration.png")
    url = page.url
    page.keyboard.press("Control+Enter")
    page.wait_for_url(lambda u: u != url)
    judgment = the_judgment(session)
    text = judgment.answers["text"]
    assert text.startswith("## Warfarin and food")
    assert judgment.answers["checklist"] == {"correct": True, "complete": True, "safe": True}
    assert judgment.answers["draft"]["started_from"] is True
    assert judgment.answers["draft"]["distance"] == Levenshtein.distance(DRAFT, text)
    assert page.dialogs == []


def test_refusals_by_keyboard_are_next_to_the_field(page, make_user, make_project, import_rows, session):
    start(page, make_user, make_project, import_rows, session, slug="demo-ref", data=rows())
    page.keyboard.press("e")
    expect(page.locator("textarea[name=text]")).to_be_focused()
    page.keyboard.type("Too short.")
    page.keyboard.press("Control+Enter")
    alert = page.locator(".demo-editor [role=alert]")
    expect(alert).to_contain_text("Write the reply: at least 80 characters.")
    expect(page.locator(".checklist [role=alert]").first).to_contain_text("Tick “Every fact")
    expect(page.locator("textarea[name=text]")).to_have_value("Too short.")
    session.rollback()
    assert session.scalars(select(Judgment)).first() is None


def test_without_javascript_the_preview_and_the_draft_are_buttons(
    browser, live_server, make_user, make_project, import_rows, session
):
    expert = make_user("expert")
    project = make_project("demo-nojs", template="sft-demonstration", members=[(expert, "expert")])
    import_rows(project, rows())
    email = expert.email
    session.commit()
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, email, PASSWORD)
        page.goto("/p/demo-nojs")
        page.get_by_role("button", name="Start judging").click()
        page.wait_for_url("**/tasks/*")
        page.locator("details[data-draft] summary").click()
        page.get_by_role("button", name="Start from this draft").click()
        expect(page.locator("textarea[name=text]")).to_have_value(DRAFT)
        page.fill("textarea[name=text]", REPLY)
        page.get_by_role("button", name="Update the preview").click()
        expect(page.locator(".preview-body h2")).to_have_text("Warfarin and food")
        expect(page.locator("textarea[name=text]")).to_have_value(REPLY)
        for label in ("Every fact", "It answers every part", "It is safe"):
            page.get_by_label(label).check()
        page.get_by_role("button", name="Submit").click()
        page.wait_for_load_state()
        judgment = the_judgment(session)
        assert judgment.answers["text"] == REPLY
        assert judgment.answers["draft"]["started_from"] is True
        assert judgment.answers["draft"]["distance"] == Levenshtein.distance(DRAFT, REPLY)
    finally:
        context.close()


def test_per_turn_flags_are_submitted_with_the_answer(page, make_user, make_project, import_rows, session):
    prompt = [
        {"role": "user", "content": "Capital of Australia?"},
        {"role": "assistant", "content": "Sydney."},
        {"role": "user", "content": "Sure?"},
    ]
    start(
        page,
        make_user,
        make_project,
        import_rows,
        session,
        slug="demo-turns",
        data=[{"id": "t1", "prompt": prompt}],
        template={"turns": {"ask": "flag", "reasons": ["Factual error", "Rude"]}},
    )
    page.get_by_label("Flag turn 1").check()
    page.locator("fieldset.turn-judgment").get_by_label("Factual error").check()
    page.fill(
        "textarea[name=text]",
        "No: the capital of Australia is Canberra. Sydney is its largest city, which is a common mix-up.",
    )
    for label in ("Every fact", "It answers every part", "It is safe"):
        page.get_by_label(label).check()
    page.locator("textarea[name=text]").press("Control+Enter")
    page.wait_for_function(
        "() => !document.querySelector('textarea[name=text]') || location.pathname.endsWith('done=1') || true"
    )
    session.rollback()
    for _ in range(50):
        judgment = session.scalars(select(Judgment)).first()
        if judgment is not None:
            break
        page.wait_for_timeout(100)
        session.rollback()
    assert judgment is not None
    assert judgment.turns == [{"turn": 1, "rating": None, "flagged": True, "reasons": ["Factual error"], "comment": ""}]


def test_right_to_left_text_shows_in_its_direction(page, make_user, make_project, import_rows, session):
    data = [
        {
            "id": "rtl",
            "prompt": f"{ARABIC}\n\nPlease answer in English too.\n\n```\nGET / HTTP/1.1\n```",
            "draft": HEBREW + " An API is an interface.",
            "draft_model": "m",
        }
    ]
    start(page, make_user, make_project, import_rows, session, slug="demo-rtl", data=data)
    direction = "el => getComputedStyle(el).direction"
    paragraphs = page.locator(".conversation .turn-user .content p")
    expect(paragraphs).to_have_count(2)
    assert paragraphs.nth(0).evaluate(direction) == "rtl", "the Arabic paragraph reads right to left"
    assert paragraphs.nth(1).evaluate(direction) == "ltr", "the English one left to right"
    assert page.locator(".conversation pre").evaluate(direction) == "ltr", "code stays left to right"
    # The editor takes the direction of what is typed in it, and so does the preview.
    editor = page.locator("textarea[name=text]")
    editor.fill(HEBREW + ' API = Application Programming Interface, למשל {"id": 1}.')
    assert editor.evaluate("el => el.matches(':dir(rtl)')")
    expect(page.locator(".preview-body p")).to_contain_text("Application Programming Interface")
    assert page.locator(".preview-body p").evaluate(direction) == "rtl"
    editor.fill("An API is an interface. " + HEBREW)
    assert editor.evaluate("el => el.matches(':dir(ltr)')")
    expect(page.locator(".preview-body p")).to_contain_text("An API is an interface.")
    assert page.locator(".preview-body p").evaluate(direction) == "ltr"
    # The draft, shown on request, in its own direction too.
    page.locator("details[data-draft] summary").click()
    assert page.locator(".draft-body .content p").evaluate(direction) == "rtl"
    screenshot(page, "demonstration-rtl", docs="screenshot-rtl.png")
