"""The caption kind: times as people write them, segments checked on the server (order,
length, overlap, inside the clip) and refused in the expert's words, its votes, and the page
(the player, the rows, and a plain-words notice that captioning needs JavaScript)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from annotate.kinds import Vote, answer_problems, get_kind
from annotate.kinds.caption.form import clock, seconds
from annotate.kinds.messages import for_people
from annotate.models import Judgment

CONFIG = {"labels": ["Speech", "Sound"], "label_required": True, "text_max_length": 20, "min_segment_seconds": 0.5}
CLIP = [{"id": "r1", "content": "", "media": {"type": "video", "src": "https://cdn.example.org/a.mp4", "duration": 10}}]


@pytest.fixture
def caption():
    return get_kind("caption")


def seg(start, end, text="Words.", label="Speech"):
    return {"start": start, "end": end, "text": text, "label": label}


def people(kind, config, answers, responses=CLIP):
    found = answer_problems(kind, config, answers, responses)
    return {p.path: p.message for p in for_people(kind, config, found, {"r1": "A"})}


def test_times_as_people_write_them():
    assert seconds("12.5") == 12.5
    assert seconds("0:12.5") == 12.5
    assert seconds("1:02:03.25") == 3723.25
    assert seconds("2,5") == 2.5
    assert seconds(" ") is None
    assert seconds("soon") == "soon"  # kept, so the schema names the field
    assert seconds("nan") == "nan"
    assert clock(3723.25) == "1:02:03.250"
    assert clock(12.5) == "0:12.500"


def test_form_rows_are_read_in_order_of_time(caption):
    form = MultiDict(
        {
            "segment-7-start": "0:04",
            "segment-7-end": "5",
            "segment-7-text": " Second. ",
            "segment-7-label": "Sound",
            "segment-2-start": "1",
            "segment-2-end": "2.5",
            "segment-2-text": "First.",
            "segment-3-start": "",
            "segment-3-end": "",
            "segment-3-text": "",
            "segment-99999-start": "1",  # not a row name the page makes
        }
    )
    assert caption.from_form(CONFIG, ["r1"], form) == {
        "segments": [
            {"start": 1.0, "end": 2.5, "text": "First."},
            {"start": 4.0, "end": 5.0, "text": "Second.", "label": "Sound"},
        ]
    }


def test_segments_checked_and_refused_in_the_experts_words(caption):
    good = {"segments": [seg(0, 1.5), seg(1.5, 4, label="Sound"), seg(9, 10.04)]}
    assert answer_problems(caption, CONFIG, good, CLIP) == []
    # Past the clip's end (10 s, with 0.05 s of slack).
    assert people(caption, CONFIG, {"segments": [seg(0, 1), seg(9, 10.2)]}) == {
        "answers.segments[1].end": "Segment 2: its end must be a time at least 0.5 s after its start, "
        "and no later than the end of the clip."
    }
    # Overlapping, and too short.
    found = people(caption, CONFIG, {"segments": [seg(0, 2), seg(1.5, 1.8)]})
    assert found == {
        "answers.segments[1].end": "Segment 2: its end must be a time at least 0.5 s after its start, "
        "and no later than the end of the clip.",
        "answers.segments[1].start": "Segment 2: its start must be a time (such as 0:12.5) not before the segment "
        "above it ends (segments may not overlap here).",
    }
    assert (
        answer_problems(caption, {**CONFIG, "allow_overlap": True}, {"segments": [seg(0, 2), seg(1.5, 3)]}, CLIP) == []
    )
    # Out of order (only through the API: the form orders them).
    found = answer_problems(caption, {**CONFIG, "allow_overlap": True}, {"segments": [seg(5, 6), seg(1, 2)]}, CLIP)
    assert [(p.path, p.message) for p in found] == [
        ("answers.segments[1].start", "starts before the previous segment: segments go in order")
    ]
    # Missing pieces, a label off the list, text too long, blank text.
    found = people(caption, CONFIG, {"segments": [{"start": 1, "end": None, "text": "", "label": "Noise"}]})
    assert found == {
        "answers.segments[0].end": "Segment 1: set its end (a time such as 0:14, or press ] at the playhead).",
        "answers.segments[0].text": "Segment 1: write its caption.",
        "answers.segments[0].label": "Segment 1: choose its label.",
    }
    assert people(caption, CONFIG, {"segments": [seg(0, 1, text="x" * 21)]}) == {
        "answers.segments[0].text": "Segment 1: write its caption in at most 20 characters."
    }
    assert people(caption, CONFIG, {"segments": [seg(0, 1, text="   ")]}) == {
        "answers.segments[0].text": "Segment 1: write its caption."
    }
    assert people(caption, CONFIG, {"segments": []}) == {
        "answers.segments": "Add at least 1 segment: play the clip, press [ where a caption starts and ] "
        "where it ends, then write it."
    }
    # No clip at all: said, not crashed.
    text_only = [{"id": "r1", "content": "just text"}]
    assert [p.path for p in answer_problems(caption, CONFIG, {"segments": [seg(0, 1)]}, text_only)] == [
        "answers.segments"
    ]
    # Unknown duration: everything else is still checked.
    no_duration = [{"id": "r1", "content": "", "media": {"type": "audio", "src": "https://x.org/a.wav"}}]
    assert answer_problems(caption, CONFIG, {"segments": [seg(0, 5000)]}, no_duration) == []


def test_votes_and_config_checks(caption):
    answers = {"segments": [seg(0, 2), seg(1, 3), seg(5, 6)]}
    assert caption.votes({}, answers, ["r1"]) == [Vote("segments", "", 3), Vote("covered_seconds", "", 4.0)]
    assert [q.level for q in caption.questions({})] == ["ratio", "ratio"]
    assert caption.config_checks({"label_required": True}) == [
        ("label_required", "list the labels a segment may carry, or leave label_required out")
    ]
    assert caption.config_checks({"min_segments": 5, "max_segments": 2}) == [
        ("min_segments", "is above max_segments (2)")
    ]
    assert caption.config_checks({"keys": {"back": "l"}}) == [
        ("keys.back", "'l' is also the key for forward"),
        ("keys.forward", "'l' is also the key for back"),
    ]
    assert caption.gold_schema is None


def clip_rows(n: int = 1, duration: float | None = 3.0) -> list[dict]:
    media = {"type": "audio", "src": "https://cdn.example.org/tone.wav"}
    if duration is not None:
        media["duration"] = duration
    return [
        {"id": f"clip-{i}", "prompt": "Caption this clip.", "responses": [{"id": "r1", "content": "", "media": media}]}
        for i in range(n)
    ]


def test_the_page_and_a_plain_post(on_task, web, session):
    _project, aid, html = on_task("video-caption", rows=clip_rows())
    assert 'data-kind="caption"' in html
    assert "<noscript>" in html
    assert "Captioning needs JavaScript" in html
    assert '<audio controls preload="metadata" src="https://cdn.example.org/tone.wav" data-caption-media>' in html
    assert "0:03.000" in html  # the clip's length
    assert "template data-caption-row" in html
    data = {
        "segment-0-start": "0:01.5",
        "segment-0-end": "3.2",
        "segment-0-text": "[higher tone]",
        "segment-0-label": "Sound",
        "segment-1-start": "0",
        "segment-1-end": "1.5",
        "segment-1-text": "",
        "segment-1-label": "",
    }
    bad = web.post(f"/tasks/{aid}/judgment", data=data)
    assert bad.status_code == 422
    # Ordered by time: the empty one is segment 1, the late one segment 2, both named as shown.
    assert "Segment 1: write its caption." in bad.text
    assert "Segment 1: choose its label." in bad.text
    assert ">[higher tone]</textarea>" in bad.text  # what was typed comes back, in order
    assert bad.text.index('value="0.0"') < bad.text.index('value="1.5"')
    data.update({"segment-1-text": "[low tone]", "segment-1-label": "Sound"})
    late = web.post(f"/tasks/{aid}/judgment", data=data)
    assert late.status_code == 422
    assert "Segment 2: its end must be a time at least 0.5 s after its start" in late.text  # 3.2 s of a 3 s clip
    data["segment-0-end"] = "3"
    assert web.post(f"/tasks/{aid}/judgment", data=data).status_code == 303
    session.expire_all()
    judgment = session.scalar(select(Judgment).where(Judgment.assignment_id == aid))
    assert judgment.answers == {
        "segments": [
            {"start": 0.0, "end": 1.5, "text": "[low tone]", "label": "Sound"},
            {"start": 1.5, "end": 3.0, "text": "[higher tone]", "label": "Sound"},
        ]
    }
