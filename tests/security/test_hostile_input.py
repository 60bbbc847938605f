"""Hostile input is refused in words, never a 500 (issue 12, hole 11): huge integers in every
id and paging parameter of the URL map, in forms and in JSON bodies; deeply nested JSON on
every API POST route; and ``next`` values that would redirect off the site or split headers."""

from __future__ import annotations

import pytest
from helpers import PASSWORD, csrf_from
from security.world import BENIGN_STRINGS, signed_in
from werkzeug.routing import IntegerConverter

HUGE = 10**30  # past every integer type of SQLite and PostgreSQL
JUST_PAST = 2**63  # one past the largest BIGINT
PAGING = ("page", "after", "offset", "limit", "version", "fresh")


def _int_args(rule) -> list[str]:
    return [a for a in rule.arguments if isinstance(rule._converters[a], IntegerConverter)]


def _fill(rule, world, ints: dict[str, int]) -> str:
    values = {}
    for arg in rule.arguments:
        if arg == "slug":
            values[arg] = world["b"].slug
        elif arg in ints:
            values[arg] = ints[arg]
        else:
            values[arg] = BENIGN_STRINGS.get(arg, "x")
    return rule.build(values, append_unknown=False)[1]


def _send(web, bearer, url, method, **kw):
    if url.startswith("/api/"):
        return web.client.open(url, method=method, headers=bearer, **kw)
    return web.client.open(url, method=method, headers={"X-CSRFToken": web.token}, **kw)


@pytest.mark.parametrize("value", [HUGE, JUST_PAST])
def test_huge_ids_in_every_route_are_404(app, world, make_token, value):
    web = signed_in(app, world["admin"])
    bearer = {"Authorization": f"Bearer {make_token(world['admin'])}"}
    tried, failures = 0, []
    for rule in app.url_map.iter_rules():
        for arg in _int_args(rule):
            # Built with a marker and edited: rule.build() refuses a value past the converter's max.
            marker = 987_654_321
            ints = {a: marker if a == arg else 1 for a in _int_args(rule)}
            url = _fill(rule, world, ints).replace(str(marker), str(value))
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                response = _send(web, bearer, url, method, data={"csrf_token": web.token})
                tried += 1
                if response.status_code not in (404, 405):  # 405: another method's rule has that path
                    failures.append(f"{method} {url} ({rule.endpoint}) -> {response.status_code}")
    assert tried > 20
    assert not failures, "\n".join(failures)


def test_huge_paging_parameters_on_every_get_route(app, world, make_token):
    web = signed_in(app, world["admin"])
    bearer = {"Authorization": f"Bearer {make_token(world['admin'])}"}
    failures = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static" or rule.endpoint == "api.export":
            continue
        url = _fill(rule, world, dict.fromkeys(_int_args(rule), 1))
        for value in (str(HUGE), str(-HUGE), "²", "1_000", "9" * 5000):
            query = "&".join(f"{p}={value}" for p in PAGING)
            for headers in ({}, {"HX-Request": "true"}):
                response = _send(web, {**bearer, **headers}, f"{url}?{query}", "GET")
                if response.status_code >= 500:
                    failures.append(f"GET {url}?{query[:60]}… ({rule.endpoint}) -> {response.status_code}")
    assert not failures, "\n".join(failures)


def test_huge_paging_in_the_api_is_clamped_not_an_overflow(client, world, make_token):
    bearer = {"Authorization": f"Bearer {make_token(world['rb'])}"}
    response = client.get(f"/api/v1/projects/bravo/skipped?offset={HUGE}&limit={HUGE}", headers=bearer)
    assert response.status_code == 200
    assert response.get_json() == {"skipped": []}
    refused = client.get("/api/v1/projects/bravo/skipped?offset=lots", headers=bearer)
    assert refused.status_code == 400
    assert "whole numbers" in refused.get_json()["error"]


def test_huge_integers_in_json_bodies_and_forms(app, world, make_token):
    web = signed_in(app, world["admin"])
    bearer = {"Authorization": f"Bearer {make_token(world['admin'])}"}
    body = {
        "batch_id": HUGE,
        "priority": HUGE,
        "active_seconds": HUGE,
        "answers": {"preferred": "r1"},
        "verdict": "accept",
        "reason": "x",
        "items": [],
    }
    failures = []
    for rule in app.url_map.iter_rules():
        methods = rule.methods - {"GET", "HEAD", "OPTIONS"}
        if not methods:
            continue
        url = _fill(rule, world, dict.fromkeys(_int_args(rule), 1))
        for method in sorted(methods):
            if url.startswith("/api/"):
                response = _send(web, bearer, url, method, json=body)
            else:
                form = {k: str(HUGE) for k in ("active_seconds", "version", "overlap", "lease_seconds", "priority")}
                response = _send(web, bearer, url, method, data={"csrf_token": web.token, **form})
            if response.status_code >= 500:
                failures.append(f"{method} {url} ({rule.endpoint}) -> {response.status_code}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("depth", [200, 100_000])
def test_deep_json_bodies_on_every_api_post_route_are_never_a_500(app, world, make_token, depth):
    bearer = {"Authorization": f"Bearer {make_token(world['admin'])}", "Content-Type": "application/json"}
    client = app.test_client()
    payload = "[" * depth + "]" * depth
    failures = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/") or "POST" not in rule.methods:
            continue
        url = _fill(rule, world, dict.fromkeys(_int_args(rule), 1))
        response = client.post(url, data=payload, headers=bearer)
        # A route that does not read its body (claim the next review) may answer as usual.
        refused = 400 <= response.status_code < 500
        if response.status_code >= 500 or (refused and response.mimetype != "application/json"):
            failures.append(f"POST {url} ({rule.endpoint}) -> {response.status_code} {response.mimetype}")
    assert not failures, "\n".join(failures)


def test_an_unparseable_request_is_a_400_page_on_the_web(app, session, world):
    """The safety net: a deep JSON body read by a web view (the draft autosave) is a 400, not a 500."""
    from sqlalchemy import select

    from annotate.models import Assignment, AssignmentStatus

    leased = session.scalar(
        select(Assignment.id).where(
            Assignment.expert_id == world["eb"].id, Assignment.status == AssignmentStatus.LEASED
        )
    )
    web = signed_in(app, world["eb"])
    response = web.client.put(
        f"/tasks/{leased}/draft",
        data="[" * 100_000 + "]" * 100_000,
        headers={"Content-Type": "application/json", "X-CSRFToken": web.token},
    )
    assert 400 <= response.status_code < 500


EVIL_NEXT = [
    "//evil.example",
    "https://evil.example/",
    "http:evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "/%09/evil.example",  # stays encoded: a same-site path, kept
    "/ok\r\nSet-Cookie: stolen=1",
    "/ok\nLocation: https://evil.example",
    " //evil.example",
    "javascript:alert(1)",
    "/ok\x00",
]


@pytest.mark.parametrize("target", EVIL_NEXT)
def test_next_is_a_same_origin_path_or_home(client, world, target):
    page = client.get("/login", query_string={"next": target})
    assert page.status_code == 200
    response = client.post(
        "/login",
        data={"email": world["eb"].email, "password": PASSWORD, "next": target, "csrf_token": csrf_from(page.text)},
    )
    assert response.status_code == 303
    location = response.headers["Location"]
    assert "\r" not in location
    assert "\n" not in location
    assert "Set-Cookie" not in response.headers or "stolen" not in response.headers["Set-Cookie"]
    assert location.startswith("/")
    assert not location.startswith(("//", "/\\"))
    assert "\\" not in location
    assert "\t" not in location
    if target == "/%09/evil.example":
        assert location == target
    else:
        assert location == "/"
    # Signed in, the login page's GET redirects to next at once: the same rule.
    again = client.get("/login", query_string={"next": target})
    assert again.headers["Location"] == location


def test_a_same_site_next_is_kept(client, world):
    page = client.get("/login?next=/p/bravo%3Fx%3D1")
    response = client.post(
        "/login",
        data={
            "email": world["eb"].email,
            "password": PASSWORD,
            "next": "/p/bravo?x=1",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert response.headers["Location"] == "/p/bravo?x=1"
