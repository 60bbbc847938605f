"""Scoping of every route: nobody reaches another project's (or another expert's) objects.

The test walks ``app.url_map``, so a route added later is covered without
editing this file. For each rule with a project slug or an object id it tries
the ids of project B's objects (and, for an expert, the objects of another
expert in their own project) as:

* an expert of project A, and
* a researcher of project A,

and expects 403 or 404: never a success with someone else's data, never a
redirect, never a 500. Ids are resolved by argument name to a table
(``assignment_id`` -> ``assignments``; see ``ARG_TABLES``). An id argument that
resolves to no table, or to a table with no seeded victim rows, fails the test
with a message saying what to add here, so no route goes untested silently.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from itertools import product

import pytest
from helpers import Browserless
from sqlalchemy import Table, select
from werkzeug.routing import IntegerConverter

from annotate.db import Base, utcnow
from annotate.models import (
    Assignment,
    AssignmentStatus,
    Batch,
    ExportRecord,
    Item,
    Judgment,
    JudgmentRevision,
    Review,
    ReviewVerdict,
)
from annotate.models.draft import Draft
from annotate.projects.services import accept_terms, edit_terms

SECRET = "bravo-secret-7f3a"

# Routes not tested here, with the reason.
EXEMPT = {
    "static": "public assets, no data",
    "auth.invitation": "the argument is a bearer secret, not an object id (tests/projects/test_project_members.py)",
    "kinds.show": "task templates are global, not owned by a project",
}
# Argument names whose table is not simply the plural of the name.
ARG_TABLES = {"member_id": "project_members", "export_id": "exports", "user_id": "users", "batch_id": "batches"}
# String arguments that are not object references, with a harmless value to send.
BENIGN_STRINGS = {"response_id": "r1", "name": "README.md", "format": "raw", "fmt": "raw", "token": "no-such-upload"}
OK = {403, 404}


def _table(arg: str) -> Table:
    name = ARG_TABLES.get(arg) or arg.removesuffix("_id") + "s"
    table = Base.metadata.tables.get(name)
    assert table is not None, f"route argument {arg!r}: add its table to ARG_TABLES in {__file__}"
    return table


def _victim_ids(session, table: Table, project_id: int, users: list[int], expert_id: int | None) -> list[int]:
    """Ids of ``table`` rows that belong to project ``project_id`` (or, with ``expert_id``, to that expert)."""
    if table.name == "users":
        return users
    if table.name == "projects":
        return [project_id]
    cols = table.c
    if expert_id is not None:
        owner = next((c for c in ("expert_id", "user_id") if c in cols), None)
        if owner is not None:
            return list(session.scalars(select(cols.id).where(cols[owner] == expert_id)))
    if "project_id" in cols:
        return list(session.scalars(select(cols.id).where(cols.project_id == project_id)))
    # One hop through a foreign key to a table that has a project_id (or an owner).
    for fk in table.foreign_keys:
        parent = fk.column.table
        if parent.name == "users":
            continue
        parent_ids = _victim_ids(session, parent, project_id, users, expert_id)
        if parent_ids:
            return list(session.scalars(select(cols.id).where(fk.parent.in_(parent_ids))))
    return []


@pytest.fixture
def world(session, make_user, make_project):
    """Project B (the victim) seeded in every table a route can name; project A for the attackers."""
    rb, eb = make_user("researcher"), make_user("expert")
    pending = make_user("expert", password=None)
    b = make_project(
        "bravo", title=f"Bravo {SECRET}", members=[(rb, "researcher"), (eb, "expert"), (pending, "expert")]
    )
    ra, ea, ea2 = make_user("researcher"), make_user("expert"), make_user("expert")
    a = make_project("alpha", title="Alpha", members=[(ra, "researcher"), (ea, "expert"), (ea2, "expert")])
    for project, expert in ((b, eb), (a, ea2)):
        _seed_work(session, project, expert)
    edit_terms(session, b, f"Terms {SECRET}", by=rb)
    accept_terms(session, b, eb, 1)
    from annotate.auth.invitations import create_invitation

    create_invitation(session, pending, created_by=rb, project=b)
    session.add(
        ExportRecord(project_id=b.id, user_id=rb.id, format="raw", channel="web", tool_version="test", output=SECRET)
    )
    session.commit()
    return {"a": a, "b": b, "b_users": [rb.id, eb.id, pending.id], "ra": ra, "ea": ea, "ea2": ea2}


def _seed_work(session, project, expert) -> None:
    batch = Batch(project_id=project.id, source=f"{SECRET}.jsonl", format="jsonl")
    session.add(batch)
    session.flush()
    now = utcnow()
    for n, status in enumerate((AssignmentStatus.SUBMITTED, AssignmentStatus.LEASED, AssignmentStatus.SKIPPED)):
        key = f"{project.slug}-{SECRET}-{n}"
        item = Item(
            project_id=project.id,
            batch_id=batch.id,
            external_id=key,
            content_hash=hashlib.sha256(key.encode()).hexdigest(),
            prompt=[{"role": "user", "content": f"Prompt {SECRET}"}],
            responses=[{"id": "r1", "content": f"One {SECRET}"}, {"id": "r2", "content": f"Two {SECRET}"}],
            assigned_count=1 if status is not AssignmentStatus.SKIPPED else 0,
        )
        session.add(item)
        session.flush()
        assignment = Assignment(
            project_id=project.id,
            item_id=item.id,
            expert_id=expert.id,
            status=status,
            leased_at=now,
            expires_at=now + timedelta(hours=1),
            display_order=["r1", "r2"],
            skip_reason=SECRET if n == 2 else None,
        )
        session.add(assignment)
        session.flush()
        if status is AssignmentStatus.SUBMITTED:
            judgment = Judgment(
                assignment_id=assignment.id,
                project_id=project.id,
                item_id=item.id,
                expert_id=expert.id,
                answers={"preferred": "r1", "rationale": SECRET},
                template_name=project.template_name,
                template_version=project.template_version,
                instructions_version=1,
            )
            session.add(judgment)
            session.flush()
            session.add(JudgmentRevision(judgment_id=judgment.id, answers={"preferred": "r2"}, edited_by_id=expert.id))
            session.add(Review(judgment_id=judgment.id, reviewer_id=None, verdict=ReviewVerdict.ACCEPT, comment=SECRET))
        if status is AssignmentStatus.LEASED:
            session.add(Draft(assignment_id=assignment.id, fields={"rationale": [SECRET]}))
    session.flush()


def _attempts(session, rule, world, attacker: str):
    """Every URL to try for ``rule``: B's slug and ids, plus A's slug with B's ids, plus another expert's ids."""
    args = sorted(rule.arguments)
    options: dict[str, list] = {}
    for arg in args:
        converter = rule._converters[arg]
        if arg == "slug":
            has_ids = len(args) > 1
            options[arg] = [world["b"].slug, world["a"].slug] if has_ids else [world["b"].slug]
        elif isinstance(converter, IntegerConverter):  # annotate.web.DatabaseId too
            table = _table(arg)
            ids = _victim_ids(session, table, world["b"].id, world["b_users"], None)
            if attacker == "ea":  # an expert must not reach another expert's work in their own project
                ids += _victim_ids(session, table, world["a"].id, [world["ea2"].id], world["ea2"].id)
            assert ids, (
                f"{rule.endpoint}: no seeded rows of {table.name!r} for project B; seed one in world() of {__file__}"
            )
            options[arg] = sorted(set(ids))
        elif arg in BENIGN_STRINGS:
            options[arg] = [BENIGN_STRINGS[arg]]
        else:
            raise AssertionError(
                f"{rule.endpoint}: unknown argument {arg!r}; add it to BENIGN_STRINGS or EXEMPT in {__file__}"
            )
    for values in product(*(options[a] for a in args)):
        yield dict(zip(args, values, strict=True))


def _as(app, user, token: str | None) -> tuple[Browserless, dict]:
    web = Browserless(app.test_client())
    web.login(user.email)
    return web, {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("attacker", ["ea", "ra"])
def test_no_route_reaches_another_projects_or_experts_objects(app, session, world, make_token, attacker):
    user = world[attacker]
    web, bearer = _as(app, user, make_token(user))
    tried = 0
    failures = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in EXEMPT or not rule.arguments:
            continue
        api = rule.rule.startswith("/api/")
        for values in _attempts(session, rule, world, attacker):
            url = rule.build(values)[1]
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                headers = dict(bearer) if api else {"X-CSRFToken": web.token}
                if api:
                    response = web.client.open(url, method=method, headers=headers, json={})
                else:
                    response = web.client.open(url, method=method, headers=headers, data={"csrf_token": web.token})
                tried += 1
                body = response.get_data(as_text=True)
                if response.status_code not in OK or SECRET in body:
                    failures.append(
                        f"{method} {url} ({rule.endpoint}) -> {response.status_code}"
                        f"{' with B data' if SECRET in body else ''}"
                    )
    assert tried > 30
    assert not failures, f"as {attacker}:\n" + "\n".join(failures)


@pytest.mark.parametrize("attacker", ["ea", "ra"])
def test_pages_without_ids_show_nothing_of_other_projects(app, world, attacker):
    web, _ = _as(app, world[attacker], None)
    for rule in app.url_map.iter_rules():
        if rule.arguments or "GET" not in rule.methods or rule.endpoint in EXEMPT:
            continue
        response = web.get(rule.rule)
        assert response.status_code < 500, rule.rule
        assert SECRET not in response.get_data(as_text=True), f"{rule.rule} shows project B's data to {attacker}"


def test_the_walk_covers_routes_added_by_every_blueprint(app):
    """Guard against the walk silently skipping: every id-bearing rule is tried or exempt with a reason."""
    id_rules = [r for r in app.url_map.iter_rules() if r.arguments]
    covered = [r for r in id_rules if r.endpoint not in EXEMPT]
    assert {r.endpoint.split(".")[0] for r in covered} >= {"workbench", "projects", "api", "auth", "admin"}
    assert all(reason for reason in EXEMPT.values())
