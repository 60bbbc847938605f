"""Scoping of every route: nobody reaches another project's (or another expert's) objects.

The test walks ``app.url_map``, so a route added later is covered without
editing this file. For each rule with a project slug or an object id it tries
the ids of project B's objects (and, for an expert, the objects of another
expert in their own project) as:

* an expert of project A,
* a researcher of project A, and
* a reviewer of project A,

and expects 403 or 404: never a success with someone else's data, never a
redirect, never a 500. Anonymous requests to every route (with or without
ids) must be sent to the sign-in page (401 on the API); the few routes that are
public on purpose are listed in ``PUBLIC``. Ids are resolved by argument name to a table
(``assignment_id`` -> ``assignments``; see ``ARG_TABLES``). An id argument that
resolves to no table, or to a table with no seeded victim rows, fails the test
with a message saying what to add here, so no route goes untested silently.
"""

from __future__ import annotations

from itertools import product

import pytest
from helpers import Browserless, csrf_from
from security.world import BENIGN_STRINGS, SECRET
from security.world import table_for as _table
from sqlalchemy import Table, select
from werkzeug.routing import IntegerConverter

# Routes not tested here, with the reason.
EXEMPT = {
    "static": "public assets, no data",
    "auth.invitation": "the argument is a bearer secret, not an object id (tests/projects/test_project_members.py)",
    "kinds.show": "task templates are global, not owned by a project",
}
OK = {403, 404}
# Routes anybody may call signed out, with the reason. Everything else sends them to sign in.
PUBLIC = {
    "static": "public assets, no data",
    "auth.login": "the sign-in page",
    "auth.invitation": "a one-time link: the token in the URL is the credential",
    "auth.logout": "signing out needs no sign-in (and ends the anonymous session with its CSRF token)",
    "ops.healthz": "a load balancer's liveness probe: says the process is up, nothing more",
    "ops.readyz": "a readiness probe: says whether the database (and queue) answer, no data",
    "ops.metrics_view": "guarded by its own token or network setting (tests/ops), not by a session",
    "api.openapi": "the API's published contract: describes the routes, reveals no data",
}


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
    if "user_id" in cols:  # a person's own rows (API tokens): those of project B's people
        return list(session.scalars(select(cols.id).where(cols.user_id.in_(users))))
    # One hop through a foreign key to a table that has a project_id (or an owner).
    for fk in table.foreign_keys:
        parent = fk.column.table
        if parent.name == "users":
            continue
        parent_ids = _victim_ids(session, parent, project_id, users, expert_id)
        if parent_ids:
            return list(session.scalars(select(cols.id).where(fk.parent.in_(parent_ids))))
    return []


def _attempts(session, rule, world, attacker: str):
    """Every URL to try for ``rule``: B's slug and ids, plus A's slug with B's ids, plus another expert's ids."""
    args = sorted(rule.arguments)
    options: dict[str, list] = {}
    for arg in args:
        converter = rule._converters[arg]
        if arg == "slug":
            has_ids = len(args) > 1
            options[arg] = [world["b"].slug, world["a"].slug] if has_ids else [world["b"].slug]
        elif isinstance(converter, IntegerConverter):
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


@pytest.mark.parametrize("attacker", ["ea", "ra", "rva"])
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
                    leak = " with B data" if SECRET in body else ""
                    failures.append(f"{method} {url} ({rule.endpoint}) -> {response.status_code}{leak}")
    assert tried > 30
    assert not failures, f"as {attacker}:\n" + "\n".join(failures)


@pytest.mark.parametrize("attacker", ["ea", "ra", "rva"])
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


def test_anonymous_requests_to_every_route_go_to_sign_in(app, session, world):
    """Signed out, every route (a page, a fragment, a form's POST, an API call) asks for
    credentials and shows nothing: a redirect to the sign-in page, or 401 on the API."""
    client = app.test_client()
    token = csrf_from(client.get("/login").text)  # an anonymous session's token: CSRF is not what refuses
    tried, failures = 0, []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC:
            continue
        api = rule.rule.startswith("/api/")
        attempts = list(_attempts(session, rule, world, "anonymous")) if rule.arguments else [{}]
        for values in attempts[:3]:
            url = rule.build(values)[1]
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                for fragment in (False, True):
                    headers = {"X-CSRFToken": token, **({"HX-Request": "true"} if fragment else {})}
                    if api:
                        response = client.open(url, method=method, headers=headers, json={})
                    else:
                        response = client.open(url, method=method, headers=headers, data={"csrf_token": token})
                    tried += 1
                    body = response.get_data(as_text=True)
                    location = response.headers.get("Location") or response.headers.get("HX-Redirect") or ""
                    if api:
                        ok = response.status_code == 401
                    else:
                        ok = response.status_code in (204, 302, 303) and location.startswith("/login")
                    if not ok or SECRET in body:
                        failures.append(f"{method} {url} ({rule.endpoint}, htmx={fragment}) -> {response.status_code}")
    assert tried > 100
    assert not failures, "signed out:\n" + "\n".join(failures)


def test_public_routes_are_few_and_say_why():
    assert set(PUBLIC) == {
        "static",
        "auth.login",
        "auth.invitation",
        "auth.logout",
        "ops.healthz",
        "ops.readyz",
        "ops.metrics_view",
        "api.openapi",
    }
    assert all(PUBLIC.values())
