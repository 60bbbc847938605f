"""Stored XSS, in Chromium, through every field that holds lab or user text: prompts,
responses, metadata, media names, template labels, instructions and terms, names, project
titles, rationales, critiques, span comments and review comments, with the usual payloads
(``<script>``, ``<img onerror>``, ``javascript:`` links, ``<svg onload>``, htmx attributes,
``{{7*7}}``), on every page that shows them, for the role that sees it.

On each page: no dialog opens, no request leaves the origin (every request is routed and a
foreign one is refused and recorded), no request reaches the htmx probe, no element carries
an event-handler attribute or a ``javascript:`` link, every htmx attribute from content sits
under ``hx-disable``, and the template text stays literal (``{{7*7}}``, never 49).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from helpers import PASSWORD, sign_in

from annotate.db import utcnow
from annotate.models import (
    Assignment,
    AssignmentStatus,
    Batch,
    BatchStatus,
    Item,
    Judgment,
    Review,
    ReviewState,
    ReviewVerdict,
)
from annotate.projects.services import accept_terms, edit_instructions, edit_terms

pytestmark = pytest.mark.browser

PROBE = "/hx-probe"
PAYLOAD = (
    "<script>alert('script')</script><img src=x onerror=\"alert('img')\"><svg onload=\"alert('svg')\"></svg>"
    "<a href=\"javascript:alert('js')\">js link</a> [md link](javascript:alert('md'))"
    f'<a hx-get="{PROBE}" hx-trigger="load">hx</a><div hx-on:click="alert(\'hx-on\')" hx-post="{PROBE}">click</div>'
    "<iframe src=\"javascript:alert('frame')\"></iframe> {{7*7}} {{ config }}"
)
SHORT = "<img src=x onerror=alert(1)><svg onload=alert(2)>{{7*7}}"  # labels, names, titles: short fields


def _hostile_templates(app, tmp_path: Path) -> None:
    """The shipped templates plus copies whose labels (criteria, strengths, span labels, score
    anchors, abstain reasons, titles) are payloads."""
    folder = tmp_path / "task_templates"
    shutil.copytree(app.config["TEMPLATES_DIR"], folder)
    pairwise = json.loads((folder / "pairwise-multi-criteria.json").read_text())
    pairwise["title"] = SHORT
    pairwise["instructions"] = PAYLOAD
    pairwise["config"]["strength"]["labels"] = [SHORT + " a", SHORT + " b"]
    for criterion in pairwise["config"]["criteria"]:
        criterion["label"] = SHORT + criterion["id"]
        criterion["description"] = PAYLOAD
    pairwise["config"]["abstain_reasons"] = [SHORT]
    (folder / "hostile-pairwise.json").write_text(json.dumps(pairwise))
    critique = json.loads((folder / "critique.json").read_text())
    critique["config"]["span_labels"] = [SHORT, "Plain"]
    critique["config"]["score"]["label"] = SHORT
    critique["config"]["score"]["anchors"] = {"1": SHORT, "7": "ok"}
    (folder / "hostile-critique.json").write_text(json.dumps(critique))
    app.config["TEMPLATES_DIR"] = str(folder)


def _item(project, batch, key: str) -> Item:
    return Item(
        project_id=project.id,
        batch_id=batch.id,
        external_id=f"{key}-{SHORT}",
        content_hash=hashlib.sha256(key.encode()).hexdigest(),
        prompt=[
            {"role": "system", "content": PAYLOAD},
            {
                "role": "user",
                "content": PAYLOAD,
                "media": {"type": "image", "src": "javascript:alert('src')", "alt": PAYLOAD},
            },
        ],
        responses=[
            {"id": "r1", "content": PAYLOAD, "model": SHORT},
            {"id": "r2", "content": "Plain answer. " + PAYLOAD, "media": {"type": "video", "src": "/x", "alt": SHORT}},
            {"id": "r3", "content": PAYLOAD},
        ],
        meta={"note": PAYLOAD, SHORT: PAYLOAD},
    )


def _answers(kind: str) -> dict:
    if kind == "critique":
        span = {"start": 0, "end": 8, "label": SHORT, "comment": PAYLOAD, "text": "<script>"}
        one = {"critique": PAYLOAD, "spans": [span], "rewrite": PAYLOAD, "score": 2}
        return {"critiques": {"r1": one, "r2": one, "r3": one}}
    if kind == "ranking":
        return {"ranking": [["r1"], ["r2", "r3"]], "rationale": PAYLOAD}
    if kind == "rubric":
        return {"scores": {}, "rationale": PAYLOAD}
    return {"preferred": "r1", "strength": SHORT + " a", "rationale": PAYLOAD, "criteria": {}}


@pytest.fixture
def hostile(app, tmp_path, session, make_user, make_project):
    _hostile_templates(app, tmp_path)
    expert = make_user("expert", email="xss-expert@example.org", name=SHORT)
    reviewer = make_user("expert", email="xss-reviewer@example.org", name=SHORT + "r")
    researcher = make_user("researcher", email="xss-researcher@example.org", name=SHORT + "s")
    admin = make_user("admin", email="xss-admin@example.org", name=SHORT + "a")
    members = [(expert, "expert"), (reviewer, "reviewer"), (researcher, "researcher")]
    projects = {}
    for kind, template in (
        ("pairwise", "hostile-pairwise"),
        ("critique", "hostile-critique"),
        ("ranking", "ranking"),
        ("rubric", "rubric"),
    ):
        project = make_project(f"xss-{kind}", template=template, title=SHORT + kind, members=members)
        edit_instructions(session, project, PAYLOAD, by=researcher)
        edit_terms(session, project, PAYLOAD, by=researcher)
        accept_terms(session, project, expert, 1)
        batch = Batch(project_id=project.id, source=f"{SHORT}.jsonl", format="jsonl", status=BatchStatus.COMPLETE)
        session.add(batch)
        session.flush()
        now = utcnow()
        tasks = {"batch": batch.id}
        for n, status in enumerate(("leased", "submitted", "rejected")):
            item = _item(project, batch, f"{kind}-{n}")
            session.add(item)
            session.flush()
            assignment = Assignment(
                project_id=project.id,
                item_id=item.id,
                expert_id=expert.id,
                status=AssignmentStatus.LEASED if status == "leased" else AssignmentStatus.SUBMITTED,
                leased_at=now,
                expires_at=now + timedelta(hours=1),
                display_order=["r1", "r2", "r3"],
            )
            session.add(assignment)
            session.flush()
            tasks[status] = assignment.id
            if status == "leased":
                continue
            judgment = Judgment(
                assignment_id=assignment.id,
                project_id=project.id,
                item_id=item.id,
                expert_id=expert.id,
                answers=_answers(project.kind),
                template_name=project.template_name,
                template_version=project.template_version,
                instructions_version=1,
                review_state=ReviewState.REJECTED if status == "rejected" else ReviewState.PENDING,
            )
            session.add(judgment)
            session.flush()
            tasks[f"{status}-judgment"] = judgment.id
            if status == "rejected":
                session.add(
                    Review(
                        judgment_id=judgment.id, reviewer_id=reviewer.id, verdict=ReviewVerdict.REJECT, comment=PAYLOAD
                    )
                )
        projects[kind] = (project.slug, tasks)
    session.commit()  # end the arranging transaction: the live server reads next
    return {"projects": projects, "expert": expert, "reviewer": reviewer, "researcher": researcher, "admin": admin}


class Watch:
    """Every request the page makes is routed: a foreign one is refused and recorded."""

    def __init__(self, page, origin: str):
        self.page, self.origin = page, origin
        self.foreign: list[str] = []
        self.probes: list[str] = []
        page.route("**/*", self._route)

    def _route(self, route):
        url = route.request.url
        if PROBE in url:
            self.probes.append(url)
        if not url.startswith(self.origin) and not url.startswith(("data:", "blob:", "about:")):
            self.foreign.append(url)
            route.abort()
            return
        route.continue_()

    def visit(self, path: str, problems: list[str]) -> None:
        page = self.page
        response = page.goto(path)
        assert response is not None
        if response.status >= 400:
            problems.append(f"{path}: HTTP {response.status}")
            return
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(150)  # a chance for onerror, onload and hx-trigger="load"
        # Click whatever content made clickable: a live hx-on:click or onclick would fire.
        for element in page.locator("[hx-on\\:click], [onclick]").all()[:20]:
            with contextlib.suppress(Exception):  # hidden or covered: clicking is a best effort
                element.click(timeout=500, no_wait_after=True)
        found = page.evaluate(
            """(probe) => {
              const bad = [];
              for (const el of document.querySelectorAll('*')) {
                for (const attr of el.getAttributeNames()) {
                  if (/^on/i.test(attr)) bad.push(el.tagName + '[' + attr + ']');
                  if (/^hx-/.test(attr) && (el.getAttribute(attr) || '').includes(probe) && !el.closest('[hx-disable]'))
                    bad.push('live ' + el.tagName + '[' + attr + ']');
                }
              }
              for (const a of document.querySelectorAll('a[href], iframe[src], img[src], form[action]')) {
                const url = a.getAttribute('href') || a.getAttribute('src') || a.getAttribute('action') || '';
                if (/^\\s*(javascript|data|vbscript):/i.test(url)) bad.push(a.tagName + ' ' + url.slice(0, 40));
              }
              for (const s of document.querySelectorAll('script')) {
                const ours = s.src && new URL(s.src).pathname.startsWith('/static/');
                if (!ours) bad.push('script ' + (s.src || 'inline'));
              }
              return bad;
            }""",
            PROBE,
        )
        problems.extend(f"{path}: {what}" for what in found)
        text = page.locator("body").inner_text()
        if "{{7*7}}" not in text:
            problems.append(f"{path}: the payload's {{{{7*7}}}} is not shown literally")
        if page.dialogs:
            problems.append(f"{path}: dialogs {page.dialogs}")
            page.dialogs.clear()


def test_stored_payloads_are_inert_on_every_page(page, live_server, hostile):
    watch = Watch(page, live_server)
    problems: list[str] = []
    projects = hostile["projects"]

    sign_in(page, "xss-expert@example.org", PASSWORD)
    watch.visit("/", problems)
    for slug, tasks in projects.values():
        watch.visit(f"/p/{slug}", problems)
        watch.visit(f"/tasks/{tasks['leased']}", problems)  # the task page of each kind
        watch.visit(f"/tasks/{tasks['submitted']}", problems)  # with the expert's own answers
        watch.visit(f"/p/{slug}/history", problems)
        watch.visit(f"/p/{slug}/terms", problems)
    watch.visit("/review/returned", problems)
    watch.visit(f"/people/{hostile['expert'].id}", problems)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login*")

    sign_in(page, "xss-reviewer@example.org", PASSWORD)
    for slug, tasks in projects.values():
        watch.visit(f"/review/p/{slug}", problems)
        watch.visit(f"/review/judgments/{tasks['submitted-judgment']}", problems)
        watch.visit(f"/review/judgments/{tasks['rejected-judgment']}", problems)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login*")

    sign_in(page, "xss-researcher@example.org", PASSWORD)
    watch.visit("/projects", problems)
    for slug, _tasks in projects.values():
        for tab in ("progress", "items", "members", "settings", "exports", "import", f"imports/{_tasks['batch']}"):
            watch.visit(f"/p/{slug}/{tab}", problems)
    watch.visit("/templates", problems)
    watch.visit("/templates/hostile-pairwise", problems)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login*")

    sign_in(page, "xss-admin@example.org", PASSWORD)
    watch.visit("/admin/users", problems)
    watch.visit(f"/people/{hostile['reviewer'].id}", problems)

    assert watch.foreign == []
    assert watch.probes == []
    # Pages that show none of the payload's text (e.g. a page of counts) need not show {{7*7}}.
    problems = [p for p in problems if "not shown literally" not in p or not p.startswith(LITERAL_OPTIONAL)]
    assert problems == [], "\n".join(problems)


LITERAL_OPTIONAL = ("/p/xss-ranking/import", "/p/xss-rubric/import")


def test_the_watch_catches_a_payload_that_runs(page, live_server):
    """The control: served without the app's escaping and CSP, the same payload is caught."""
    watch = Watch(page, live_server)
    page.route(
        f"{live_server}/unsafe",
        lambda route: route.fulfill(status=200, content_type="text/html", body=f"<body>{PAYLOAD}</body>"),
    )
    problems: list[str] = []
    watch.visit("/unsafe", problems)
    assert any("IMG[onerror]" in p for p in problems)
    assert any("live A[hx-get]" in p for p in problems)
    assert any("script inline" in p for p in problems)
    assert any("dialogs" in p for p in problems)
