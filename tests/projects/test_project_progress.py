"""The progress page: counts, judgments per day, throughput, skip reasons; polled with htmx; paginated."""

from __future__ import annotations

import re
from datetime import timedelta

from annotate.db import utcnow
from annotate.models import AssignmentStatus
from annotate.projects import queries


def _cells(html: str, label: str) -> str:
    match = re.search(rf"<dt>{label}</dt><dd>(\d+)</dd>", html)
    assert match, label
    return match.group(1)


def test_counts_days_throughput_and_skips(make_user, make_project, browser_for, seed_items, seed_work, session):
    researcher = make_user("researcher")
    ann, bob = make_user("expert", name="Ann"), make_user("expert", name="Bob")
    project = make_project("g1", overlap=2, members=[(researcher, "researcher"), (ann, "expert"), (bob, "expert")])
    items = seed_items(project, 6)
    yesterday = utcnow() - timedelta(days=1)
    # item 0: complete (2 judgments); item 1: one judgment + one lease; item 2: skipped; the rest untouched.
    seed_work(project, items[0], ann, seconds=10, when=yesterday)
    seed_work(project, items[0], bob, seconds=40)
    seed_work(project, items[1], ann, seconds=20)
    seed_work(project, items[1], bob, status=AssignmentStatus.LEASED)
    seed_work(project, items[2], ann, status=AssignmentStatus.SKIPPED, skip_reason="Outside my expertise")
    seed_work(project, items[3], bob, status=AssignmentStatus.SKIPPED, skip_reason="Outside my expertise")
    seed_work(project, items[4], ann, seconds=90)

    counts = queries.progress_counts(session, project)
    assert counts == {
        "items": 6,
        "complete": 1,
        "in_progress": 2,
        "not_started": 3,
        "judgments": 4,
        "active_leases": 1,
        "skips": 2,
    }
    days = dict(queries.judgments_per_day(session, project, days=3))
    assert days[utcnow().date()] == 3
    assert days[yesterday.date()] == 1
    assert len(days) == 3
    rates = queries.throughput(session, project, [ann.id, bob.id, researcher.id])
    assert rates[ann.id]["judgments"] == 3
    assert rates[ann.id]["median_seconds"] == 20
    assert rates[bob.id]["median_seconds"] == 40
    assert abs(rates[ann.id]["active_hours"] - 120 / 3600) < 1e-9
    assert researcher.id not in rates
    even = make_user("expert")
    for i, s in enumerate((10, 20, 30, 100)):
        seed_work(project, seed_items(project, 1, prefix=f"e{i}")[0], even, seconds=s)
    assert queries.throughput(session, project, [even.id])[even.id]["median_seconds"] == 25

    page = browser_for(researcher).get("/p/g1/progress")
    assert page.status_code == 200
    assert _cells(page.text, "Total") == "10"
    assert _cells(page.text, "Complete") == "1"
    assert _cells(page.text, "Skips") == "2"
    assert "Outside my expertise" in page.text
    assert "Ann" in page.text
    assert "Bob" in page.text


def test_polling_gets_only_the_self_replacing_widget(make_user, make_project, browser_for, seed_items):
    researcher = make_user("researcher")
    project = make_project("g2", members=[(researcher, "researcher")])
    seed_items(project, 3)
    web = browser_for(researcher)
    full = web.get("/p/g2/progress")
    assert "<html" in full.text
    assert 'hx-trigger="every 5s"' in full.text
    assert 'hx-target="this"' in full.text
    poll = web.get("/p/g2/progress", headers={"HX-Request": "true"})
    assert poll.status_code == 200
    assert "<html" not in poll.text
    assert "Progress" not in poll.text.split("<section", 1)[0]
    assert poll.text.lstrip().startswith('<div id="progress"')
    assert 'hx-swap="outerHTML"' in poll.text
    assert "HX-Request" in poll.headers["Vary"]
    boosted = web.get("/p/g2/progress", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" in boosted.text


def test_throughput_and_items_are_paginated(make_user, make_project, browser_for, seed_items):
    researcher = make_user("researcher")
    people = [(make_user("expert"), "expert") for _ in range(30)]
    project = make_project("g3", members=[(researcher, "researcher"), *people])
    seed_items(project, 120)
    web = browser_for(researcher)
    progress = web.get("/p/g3/progress")
    assert progress.text.count('<td class="num">0</td>') >= 25
    nxt = re.search(r'href="/p/g3/progress\?after=(\d+)"', progress.text)
    assert nxt
    second = web.get(f"/p/g3/progress?after={nxt.group(1)}")
    # The polled widget keeps the page it shows.
    assert f'hx-get="/p/g3/progress?after={nxt.group(1)}"' in second.text

    seen: list[str] = []
    url = "/p/g3/items"
    while url:
        page = web.get(url)
        seen += re.findall(r'<td class="mono"[^>]*><a href="/p/g3/items/\d+">(it-\d+)</a>', page.text)
        match = re.search(r'href="(/p/g3/items\?cursor=[^"]+)" rel="next"', page.text)
        url = match.group(1).replace("&amp;", "&") if match else None
    assert len(seen) == 120
    assert len(set(seen)) == 120


def test_throughput_and_skip_reasons_are_a_widget_of_their_own_polled_every_minute(
    make_user, make_project, browser_for, seed_items, seed_work
):
    researcher, ann = make_user("researcher"), make_user("expert", name="Ann")
    project = make_project("g4", members=[(researcher, "researcher"), (ann, "expert")])
    items = seed_items(project, 2)
    seed_work(project, items[0], ann, status=AssignmentStatus.SKIPPED, skip_reason="Broken prompt")
    web = browser_for(researcher)
    full = web.get("/p/g4/progress")
    assert 'hx-trigger="every 5s"' in full.text
    assert 'hx-trigger="every 60s"' in full.text
    assert 'hx-get="/p/g4/progress?part=people"' in full.text
    assert "Broken prompt" in full.text
    people = web.get("/p/g4/progress?part=people", headers={"HX-Request": "true"})
    assert people.text.lstrip().startswith('<div id="progress-people"')
    assert "Broken prompt" in people.text
    assert "Ann" in people.text
    assert "<dt>Total</dt>" not in people.text
    counts = web.get("/p/g4/progress", headers={"HX-Request": "true"})
    assert _cells(counts.text, "Skips") == "1"
    assert "Broken prompt" not in counts.text
    assert "Throughput" not in counts.text
