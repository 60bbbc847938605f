"""Rating and captioning in Debian's Chromium: by keyboard only (desktop and a phone-sized
screen), rating with JavaScript off, captioning's plain-words notice without it, the caption
player seeking a file served with range requests, and two clips playing in step (pairwise)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import orjson
import pytest
from helpers import PASSWORD, screenshot, sign_in
from playwright.sync_api import expect
from sqlalchemy import select

from annotate.ingest import import_file
from annotate.models import Judgment

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
TONE = Path(__file__).resolve().parents[1] / "fixtures" / "media" / "tone-3s.wav"


def one_response(n: int = 2) -> list[dict]:
    return [
        {
            "id": f"h-{i}",
            "prompt": "How do I boil an egg?",
            "responses": [{"id": "r1", "content": "Simmer it for nine minutes, then cool it in cold water."}],
        }
        for i in range(n)
    ]


def judgments(session) -> list[Judgment]:
    session.commit()  # a fresh snapshot: the server wrote after this session last read
    return list(session.scalars(select(Judgment).order_by(Judgment.id)))


def start_task(page, slug: str) -> None:
    page.goto(f"/p/{slug}")
    page.get_by_role("button", name="Start judging").press("Enter")
    page.wait_for_url("**/tasks/*")
    page.locator("#task form.answer").wait_for()


def until(page, expression: str, timeout: float = 10.0) -> None:
    """Poll ``expression`` in the page until it is true (wait_for_function evaluates a string,
    which the app's CSP forbids)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"never true: {expression}"
        page.wait_for_timeout(50)


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_likert_by_keyboard(page, make_user, make_project, import_rows, session):
    expert = make_user("expert")
    project = make_project("likert", template="likert-helpfulness", members=[(expert, "expert")])
    import_rows(project, one_response())
    session.commit()
    sign_in(page, expert.email, PASSWORD)
    start_task(page, "likert")
    screenshot(page, "rating-likert-task")
    first_url = page.url
    page.keyboard.press("6")  # the overall rating, then the focus moves on to Accuracy
    assert page.is_checked("input[name=rating][value='6']")
    assert page.evaluate("document.activeElement.name") == "criterion-accuracy"
    page.keyboard.press("5")
    page.keyboard.press("k")  # back to Accuracy
    assert page.evaluate("document.activeElement.name") == "criterion-accuracy"
    page.keyboard.press("4")  # changes it, and moves on to Safety
    page.keyboard.press("3")
    page.keyboard.press("Control+Enter")
    page.wait_for_url(lambda url: url != first_url)
    [judgment] = judgments(session)
    assert judgment.answers == {"rating": 6, "criteria": {"accuracy": 4, "safety": 3}}
    assert page.dialogs == []


def test_thumbs_by_keyboard_on_a_phone(browser, live_server, make_user, make_project, import_rows, session):
    expert = make_user("expert")
    project = make_project("thumbs", template="thumbs", members=[(expert, "expert")])
    import_rows(project, one_response())
    email = expert.email
    session.commit()
    context = browser.new_context(base_url=live_server, viewport=PHONE)
    page = context.new_page()
    try:
        sign_in(page, email, PASSWORD)
        start_task(page, "thumbs")
        no_sideways_scroll(page)
        expect(page.locator(".rating-point.thumb-up")).to_be_visible()
        first_url = page.url
        page.keyboard.press("Control+Enter")  # nothing chosen: refused, in words, next to the choice
        expect(page.locator(".rating-row [role=alert]")).to_have_text(
            "Rate the response: choose “Good response” or “Bad response”."
        )
        page.keyboard.press("n")
        assert page.is_checked("input[name=rating][value='down']")
        page.keyboard.press("y")
        assert page.is_checked("input[name=rating][value='up']")
        screenshot(page, "rating-thumbs-phone")
        page.keyboard.press("Control+Enter")
        page.wait_for_url(lambda url: url != first_url)
        [judgment] = judgments(session)
        assert judgment.answers == {"rating": "up"}
    finally:
        context.close()


def test_rating_without_javascript(browser, live_server, make_user, make_project, import_rows, session):
    expert = make_user("expert")
    project = make_project("nojs-rating", template="likert-helpfulness", members=[(expert, "expert")])
    import_rows(project, one_response(1))
    email = expert.email
    session.commit()
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, email, PASSWORD)
        page.goto("/p/nojs-rating")
        page.get_by_role("button", name="Start judging").click()
        page.wait_for_url("**/tasks/*")
        page.check("input[name=rating][value='2']")
        page.check("input[name=criterion-accuracy][value='1']")
        page.get_by_role("button", name="Submit").click()
        page.wait_for_load_state()
        expect(page.locator(".rating-row [role=alert]")).to_have_text("Rate “Safety”: choose a point from 1 to 5.")
        assert page.is_checked("input[name=rating][value='2']")  # what was chosen stays chosen
        page.check("input[name=criterion-safety][value='5']")
        page.fill("textarea[name=rationale]", "Wrong time; safe otherwise.")
        page.get_by_role("button", name="Submit").click()
        page.wait_for_load_state()
        [judgment] = judgments(session)
        assert judgment.answers == {
            "rating": 2,
            "criteria": {"accuracy": 1, "safety": 5},
            "rationale": "Wrong time; safe otherwise.",
        }
    finally:
        context.close()


def import_clips(app, session, project, tmp_path: Path, responses_per_item: int = 1, n: int = 1) -> None:
    """Items whose responses are the WAV fixture, copied into the media store (served with ranges)."""
    (tmp_path / "clips").mkdir(exist_ok=True)
    shutil.copy(TONE, tmp_path / "clips" / "tone.wav")
    rows = [
        {
            "id": f"clip-{i}",
            "prompt": "Caption this clip.",
            "responses": [
                {"id": f"r{j + 1}", "content": "", "media": {"type": "audio", "src": "clips/tone.wav"}}
                for j in range(responses_per_item)
            ],
        }
        for i in range(n)
    ]
    source = tmp_path / "clips.jsonl"
    source.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    import_file(session, project, source, media_store=Path(app.instance_path) / "media")
    session.commit()


def media_time(page) -> float:
    return page.evaluate("document.querySelector('[data-caption-media]').currentTime")


def test_caption_by_keyboard(page, app, make_user, make_project, session, tmp_path):
    expert = make_user("expert")
    project = make_project("captions", template="video-caption", members=[(expert, "expert")])
    import_clips(app, session, project, tmp_path, n=2)
    sign_in(page, expert.email, PASSWORD)
    start_task(page, "captions")
    until(page, "document.querySelector('[data-caption-media]').readyState >= 1")
    expect(page.locator("[data-caption-duration]")).to_have_text("0:03.000")
    # Seeking works (the file is served with range requests): forward clamps at the end, back at 0.
    page.keyboard.press("l")
    until(page, "document.querySelector('[data-caption-media]').currentTime > 2.9")
    page.keyboard.press("j")
    until(page, "document.querySelector('[data-caption-media]').currentTime < 0.1")
    # Space plays; [ marks a start at the playhead; ] ends it there, pauses and puts us in its text.
    page.keyboard.press(" ")
    until(page, "document.querySelector('[data-caption-media]').currentTime > 0.4")
    page.keyboard.press("[")
    start = float(page.input_value("[data-caption-segment] [data-caption-field=start]"))
    assert 0.3 < start < 2.5
    until(page, f"document.querySelector('[data-caption-media]').currentTime > {start + 0.6}")
    page.keyboard.press("]")
    assert page.evaluate("document.querySelector('[data-caption-media]').paused")
    assert page.evaluate("document.activeElement.dataset.captionField") == "text"
    end = float(page.input_value("[data-caption-segment] [data-caption-field=end]"))
    assert start + 0.5 < end <= 3.0
    page.keyboard.type("[a tone rises]")
    page.keyboard.press("Tab")  # to the label
    page.keyboard.type("Sound")
    page.keyboard.press("Tab")  # out of the fields: the player's keys work again
    page.keyboard.press("j")
    assert media_time(page) <= max(0.0, end - 4.9)
    screenshot(page, "caption-task", docs="screenshot-caption.png")
    first_url = page.url
    page.keyboard.press("Control+Enter")
    page.wait_for_url(lambda url: url != first_url)
    [judgment] = judgments(session)
    [segment] = judgment.answers["segments"]
    assert segment == {"start": start, "end": end, "text": "[a tone rises]", "label": "Sound"}
    # The next clip arrives by htmx, without a page load: its player takes the keys at once.
    assert page.evaluate("document.querySelectorAll('#task').length") == 1
    until(page, "document.querySelector('[data-caption-media]').readyState >= 1")
    expect(page.locator("[data-caption-segment]")).to_have_count(0)
    page.keyboard.press("l")
    until(page, "document.querySelector('[data-caption-media]').currentTime > 2.9")
    page.keyboard.press("[")
    expect(page.locator("[data-caption-segment]")).to_have_count(1)
    assert page.dialogs == []


def test_caption_on_a_phone_and_refusals_in_words(
    browser, live_server, app, make_user, make_project, session, tmp_path
):
    expert = make_user("expert")
    project = make_project("cap-phone", template="video-caption", members=[(expert, "expert")])
    import_clips(app, session, project, tmp_path)
    email = expert.email
    context = browser.new_context(base_url=live_server, viewport=PHONE)
    page = context.new_page()
    try:
        sign_in(page, email, PASSWORD)
        start_task(page, "cap-phone")
        until(page, "document.querySelector('[data-caption-media]').readyState >= 1")
        no_sideways_scroll(page)
        page.keyboard.press("]")  # no segment started: one from 0:00 to the playhead (0: too short)
        page.keyboard.type("Too short")
        page.keyboard.press("Control+Enter")
        expect(page.locator(".caption-segment [role=alert]").first).to_contain_text("Segment 1:")
        no_sideways_scroll(page)
        screenshot(page, "caption-phone-refused")
        # Fix it by hand: times typed as minutes:seconds.
        page.fill("[data-caption-segment] [data-caption-field=end]", "0:02.5")
        page.select_option("[data-caption-segment] [data-caption-field=label]", "Speech")
        first_url = page.url
        page.keyboard.press("Control+Enter")
        page.wait_for_url(lambda url: url != first_url)
        [judgment] = judgments(session)
        assert judgment.answers == {"segments": [{"start": 0.0, "end": 2.5, "text": "Too short", "label": "Speech"}]}
    finally:
        context.close()


def test_captioning_says_it_needs_javascript(browser, live_server, app, make_user, make_project, session, tmp_path):
    expert = make_user("expert")
    project = make_project("cap-nojs", template="video-caption", members=[(expert, "expert")])
    import_clips(app, session, project, tmp_path)
    email = expert.email
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, email, PASSWORD)
        page.goto("/p/cap-nojs")
        page.get_by_role("button", name="Start judging").click()
        page.wait_for_url("**/tasks/*")
        notice = page.locator(".caption-needs-js")
        expect(notice).to_be_visible()
        expect(notice).to_contain_text("Captioning needs JavaScript: the player, its keys and the time marks")
    finally:
        context.close()


def test_two_clips_play_in_step(page, app, make_user, make_project, session, tmp_path):
    expert = make_user("expert")
    project = make_project("sync", template="pairwise", members=[(expert, "expert")])
    project.template = {**project.template, "config": {**project.template["config"], "sync_media": True}}
    session.commit()
    import_clips(app, session, project, tmp_path, responses_per_item=2)
    sign_in(page, expert.email, PASSWORD)
    start_task(page, "sync")
    players = page.locator(".responses audio")
    expect(players).to_have_count(2)
    until(page, "[...document.querySelectorAll('.responses audio')].every(a => a.readyState >= 1)")
    page.get_by_role("button", name="Play / pause both").click()
    until(page, "[...document.querySelectorAll('.responses audio')].every(a => !a.paused)")
    page.get_by_role("button", name="Play / pause both").click()
    until(page, "[...document.querySelectorAll('.responses audio')].every(a => a.paused)")
    # Seeking one seeks the other.
    page.evaluate("document.querySelectorAll('.responses audio')[1].currentTime = 2")
    until(page, "Math.abs(document.querySelectorAll('.responses audio')[0].currentTime - 2) < 0.1")


def test_caption_rows_come_back_from_a_draft(page, app, make_user, make_project, session, tmp_path):
    expert = make_user("expert")
    project = make_project("cap-draft", template="video-caption", members=[(expert, "expert")])
    import_clips(app, session, project, tmp_path)
    sign_in(page, expert.email, PASSWORD)
    start_task(page, "cap-draft")
    until(page, "document.querySelector('[data-caption-media]').readyState >= 1")
    page.keyboard.press("l")  # to the end (3 s): seek, mark a segment by hand, and a second one
    until(page, "document.querySelector('[data-caption-media]').currentTime > 2.9")
    page.get_by_role("button", name="Add a segment").click()
    page.keyboard.type("1.25")
    page.keyboard.press("Tab")
    page.keyboard.type("2.5")
    page.keyboard.press("Tab")
    page.keyboard.type("[second]")
    page.get_by_role("button", name="Add a segment").click()
    page.keyboard.type("0:00.5")
    page.keyboard.press("Tab")
    page.keyboard.type("1")
    page.keyboard.press("Tab")
    page.keyboard.type("[first]")
    page.keyboard.press("Tab")
    # Rows are kept in order of time: the one typed second is segment 1.
    expect(page.locator("[data-caption-segment] [data-caption-number]")).to_have_text(["1", "2"])
    typed = page.locator("[data-caption-segment] [data-caption-field=text]")
    assert [typed.nth(i).input_value() for i in range(2)] == ["[first]", "[second]"]
    page.wait_for_selector("[data-draft-status][data-state=saved]")
    page.reload()
    page.wait_for_selector("[data-draft-status][data-state=restored], [data-draft-status]:has-text('restored')")
    texts = page.locator("[data-caption-segment] [data-caption-field=text]")
    expect(texts).to_have_count(2)
    assert [texts.nth(i).input_value() for i in range(2)] == ["[first]", "[second]"]
    starts = page.locator("[data-caption-segment] [data-caption-field=start]")
    assert [starts.nth(i).input_value() for i in range(2)] == ["0:00.5", "1.25"]


RECORD_WEBM = """async () => {
  const canvas = document.createElement("canvas");
  canvas.width = 160; canvas.height = 90;
  const ctx = canvas.getContext("2d");
  const stream = canvas.captureStream(25);
  const recorder = new MediaRecorder(stream, { mimeType: "video/webm;codecs=vp8" });
  const chunks = [];
  recorder.ondataavailable = (e) => chunks.push(e.data);
  const done = new Promise((resolve) => { recorder.onstop = resolve; });
  recorder.start(100);
  const started = performance.now();
  await new Promise((resolve) => {
    function frame() {
      const t = performance.now() - started;
      ctx.fillStyle = `hsl(${(t / 5) % 360}, 70%, 50%)`;
      ctx.fillRect(0, 0, 160, 90);
      if (t < 1200) requestAnimationFrame(frame); else resolve();
    }
    frame();
  });
  recorder.stop();
  await done;
  const bytes = new Uint8Array(await new Blob(chunks, { type: "video/webm" }).arrayBuffer());
  let text = "";
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text);
}"""


@pytest.fixture
def webm(browser, tmp_path) -> Path:
    """A 1.2-second WebM video, recorded by Chromium itself from a canvas (no ffmpeg needed)."""
    import base64

    context = browser.new_context()
    try:
        page = context.new_page()
        data = base64.b64decode(page.evaluate(RECORD_WEBM))
    finally:
        context.close()
    assert data[:4] == b"\x1a\x45\xdf\xa3"  # EBML: a WebM file
    path = tmp_path / "generated.webm"
    path.write_bytes(data)
    return path


def test_two_generated_videos_side_by_side_in_step(browser, live_server, app, make_user, make_project, session, webm):
    expert = make_user("expert")
    project = make_project("videos", template="pairwise", members=[(expert, "expert")])
    project.template = {**project.template, "config": {**project.template["config"], "sync_media": True}}
    folder = webm.parent
    (folder / "b.webm").write_bytes(webm.read_bytes())
    row = {
        "id": "gen-1",
        "prompt": "A red kite over a beach at dusk.",
        "responses": [
            {"id": "r1", "content": "", "media": {"type": "video", "src": "generated.webm"}},
            {"id": "r2", "content": "", "media": {"type": "video", "src": "b.webm"}},
        ],
    }
    source = folder / "videos.jsonl"
    source.write_bytes(orjson.dumps(row) + b"\n")
    import_file(session, project, source, media_store=Path(app.instance_path) / "media")
    email = expert.email
    session.commit()
    for viewport in ({"width": 1280, "height": 900}, PHONE):
        context = browser.new_context(base_url=live_server, viewport=viewport)
        page = context.new_page()
        try:
            sign_in(page, email, PASSWORD)
            page.goto("/p/videos")
            page.get_by_role("button", name="Start judging").press("Enter")
            page.wait_for_url("**/tasks/*")
            videos = page.locator(".responses video")
            expect(videos).to_have_count(2)
            until(page, "[...document.querySelectorAll('.responses video')].every(v => v.readyState >= 1)")
            left, right = videos.nth(0).bounding_box(), videos.nth(1).bounding_box()
            assert abs(left["y"] - right["y"]) < 2, "side by side, not stacked"
            assert left["x"] + left["width"] <= right["x"] + 1
            no_sideways_scroll(page)
            page.get_by_role("button", name="Play / pause both").click()
            until(page, "[...document.querySelectorAll('.responses video')].every(v => !v.paused || v.ended)")
            screenshot(page, f"pairwise-videos-{viewport['width']}")
        finally:
            context.close()


def test_a_generated_video_rated_by_keyboard(page, app, make_user, make_project, session, webm):
    expert = make_user("expert")
    project = make_project("video-rating", template="video-quality-rating", members=[(expert, "expert")])
    row = {
        "id": "gen-1",
        "prompt": "A red kite over a beach at dusk.",
        "responses": [{"id": "r1", "content": "", "media": {"type": "video", "src": webm.name}}],
    }
    source = webm.parent / "rate.jsonl"
    source.write_bytes(orjson.dumps(row) + b"\n")
    import_file(session, project, source, media_store=Path(app.instance_path) / "media")
    session.commit()
    sign_in(page, expert.email, PASSWORD)
    start_task(page, "video-rating")
    video = page.locator(".response video")
    expect(video).to_be_visible()
    until(page, "document.querySelector('.response video').readyState >= 1")
    assert page.evaluate("document.querySelector('.response video').videoWidth") == 160
    first_url = page.url
    for key in "4435":  # overall, visual quality, motion, prompt adherence: the focus moves on
        page.keyboard.press(key)
    page.keyboard.press("Control+Enter")
    page.wait_for_url(lambda url: url != first_url)
    [judgment] = judgments(session)
    assert judgment.answers == {"rating": 4, "criteria": {"visual_quality": 4, "motion": 3, "prompt_adherence": 5}}
