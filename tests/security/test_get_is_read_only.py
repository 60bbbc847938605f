"""No GET changes state (issue 12, hole 9): a GET to every GET route of the URL map, as every
role, signed out, as a page and as an htmx fragment, leaves every row of every table as it
was. A route added later is walked without editing this file; a GET that must write is
listed in ``WRITING_GETS`` with the reason (today: none on the web; the API's export stream).

Media ``src`` values, links and prefetches make browsers send same-origin GETs with the
viewer's cookies, so a GET that writes is something content can make a viewer do.
"""

from __future__ import annotations

from itertools import islice, product

import pytest
from security.world import BENIGN_STRINGS, fingerprint, signed_in, table_for
from sqlalchemy import select
from werkzeug.routing import IntegerConverter

# GET routes allowed to write, with the reason. Only bearer-token API routes may be here: a
# browser never sends the token by itself, so content cannot make a viewer call them.
WRITING_GETS = {
    "api.export": "API v1's documented GET streams the export and records it (provenance); bearer token only",
}
SKIP = {"static": "files on disk, no database"}


def _values(session, rule, world) -> list[dict]:
    """Argument values for ``rule``: both projects' slugs and (a few of) every table's ids."""
    args = sorted(rule.arguments)
    options: dict[str, list] = {}
    for arg in args:
        if arg == "slug":
            options[arg] = [world["b"].slug, world["a"].slug]
        elif isinstance(rule._converters[arg], IntegerConverter):
            table = table_for(arg)
            options[arg] = list(session.scalars(select(table.c.id).order_by(table.c.id))) or [1]
        else:
            options[arg] = [BENIGN_STRINGS.get(arg, "x")]
    combos = product(*(options[a] for a in args))
    return [dict(zip(args, values, strict=True)) for values in islice(combos, 12)]


@pytest.mark.parametrize("who", ["admin", "rb", "eb", "rvb", "ea", "anonymous"])
def test_every_get_leaves_every_table_unchanged(app, session, world, make_token, who):
    if who == "anonymous":
        client, bearer = app.test_client(), {}
    else:
        client = signed_in(app, world[who]).client
        bearer = {"Authorization": f"Bearer {make_token(world[who])}"}
    before = fingerprint(session)
    tried, errors = 0, []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in SKIP or rule.endpoint in WRITING_GETS:
            continue
        api = rule.rule.startswith("/api/")
        for values in _values(session, rule, world):
            url = rule.build(values)[1]
            for headers in ({}, {"HX-Request": "true"}):
                response = client.get(url, headers={**headers, **(bearer if api else {})})
                tried += 1
                if response.status_code >= 500:
                    errors.append(f"GET {url} -> {response.status_code}")
    after = fingerprint(session)
    changed = sorted(name for name in before if before[name] != after[name])
    assert tried > 50
    assert not errors
    assert changed == [], f"GETs as {who} changed rows in: {', '.join(changed)}"


def test_the_fingerprint_sees_a_change(app, session, world):
    """The check above can fail: one changed column is a different fingerprint."""
    before = fingerprint(session)
    world["b"].title = "changed"
    session.commit()
    after = fingerprint(session)
    assert [name for name in before if before[name] != after[name]] == ["projects"]


def test_writing_gets_are_bearer_only(app):
    for endpoint, reason in WRITING_GETS.items():
        assert reason
        assert endpoint.startswith("api."), f"{endpoint}: a GET a browser can be made to send must not write"
