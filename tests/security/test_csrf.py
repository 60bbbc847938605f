"""CSRF on every state-changing web route of the URL map: no token, a wrong token, a token
from another session, and an htmx request without the header token are all refused with a
400 that names CSRF, and nothing is written. The API is exempt: it takes bearer tokens only
and never reads the session cookie (tests/security/test_authorization.py checks it refuses
a cookie without a token)."""

from __future__ import annotations

import pytest
from security.world import BENIGN_STRINGS, fingerprint, signed_in
from sqlalchemy import select
from werkzeug.routing import IntegerConverter

from annotate.db import Base

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _urls(session, rule, world) -> list[str]:
    """The rule filled with project B and the first id of each table, so the view would act."""
    values = {}
    for arg in rule.arguments:
        if arg == "slug":
            values[arg] = world["b"].slug
        elif isinstance(rule._converters[arg], IntegerConverter):
            from security.world import table_for

            table = table_for(arg)
            values[arg] = session.scalar(select(table.c.id).order_by(table.c.id)) or 1
        else:
            values[arg] = BENIGN_STRINGS.get(arg, "x")
    return [rule.build(values, append_unknown=False)[1]]


def _web_write_rules(app):
    return [
        rule for rule in app.url_map.iter_rules() if rule.methods & WRITE_METHODS and not rule.rule.startswith("/api/")
    ]


VARIANTS = ["no token", "wrong token", "another session's token", "htmx without the header"]


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("who", ["admin", "rb"])
def test_every_web_write_needs_this_sessions_token(app, session, world, variant, who):
    web = signed_in(app, world[who])
    other = signed_in(app, world["eb"])
    assert other.token != web.token
    before = fingerprint(session)
    tried, failures = 0, []
    for rule in _web_write_rules(app):
        for url in _urls(session, rule, world):
            for method in sorted(rule.methods & WRITE_METHODS):
                form = {"format": "raw", "verdict": "accept", "reason": "other", "comment": "x", "title": "x"}
                headers = {}
                if variant == "wrong token":
                    form["csrf_token"] = web.token[:-4] + "AAAA"
                    headers["X-CSRFToken"] = web.token[:-4] + "AAAA"
                elif variant == "another session's token":
                    form["csrf_token"] = other.token
                    headers["X-CSRFToken"] = other.token
                elif variant == "htmx without the header":
                    headers = {"HX-Request": "true", "HX-Current-URL": "http://localhost/"}
                response = web.client.open(url, method=method, data=form, headers=headers)
                tried += 1
                body = response.get_data(as_text=True)
                if response.status_code != 400 or "CSRF" not in body:
                    failures.append(f"{method} {url} ({rule.endpoint}) -> {response.status_code}")
    assert tried >= 30
    assert not failures, f"{variant} as {who}:\n" + "\n".join(failures)
    after = fingerprint(session)
    assert [name for name in before if before[name] != after[name]] == []


def test_the_right_token_is_accepted(app, session, world):
    """The control: the same requests with the page's token get past the CSRF check."""
    web = signed_in(app, world["rb"])
    response = web.post("/p/bravo/settings/terms", data={"body": "New terms"})
    assert response.status_code in (200, 303)
    assert "CSRF" not in response.get_data(as_text=True)


def test_every_table_is_fingerprinted():
    assert len(Base.metadata.sorted_tables) > 10
