"""ANNOTATE_PROXY_FIX: behind N trusted proxies the app sees the client's address, scheme and
host as the proxy forwarded them; by default (0) the X-Forwarded-* headers are ignored,
since any client could send them."""

from __future__ import annotations

import pytest
from flask import request

from annotate import create_app

FORWARDED = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "annotate.example"}


def seen_by(app) -> dict:
    # A probe route for this test only: what the app believes about the request.
    app.add_url_rule(
        "/_probe", "probe", lambda: {"addr": request.remote_addr, "scheme": request.scheme, "host": request.host}
    )
    return app.test_client().get("/_probe", headers=FORWARDED).get_json()


@pytest.mark.parametrize(
    ("proxies", "expected"),
    [(0, ("127.0.0.1", "http", "localhost")), (1, ("203.0.113.9", "https", "annotate.example"))],
)
def test_forwarded_headers_are_trusted_only_behind_a_configured_proxy(tmp_path, proxies, expected):
    app = create_app(
        {"ENV": "testing", "SECRET_KEY": "x" * 40, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db", "PROXY_FIX": proxies}
    )
    seen = seen_by(app)
    assert (seen["addr"], seen["scheme"], seen["host"]) == expected


def test_the_setting_is_read_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("ANNOTATE_PROXY_FIX", "1")
    app = create_app({"ENV": "testing", "SECRET_KEY": "x" * 40, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    assert seen_by(app)["scheme"] == "https"
