"""Security headers on every kind of response (page, fragment, API JSON and its errors, error
pages, static files, media, an export stream), caching (private answers never stored, static
assets cacheable), HSTS in production, and path traversal on the static, media and export
file routes."""

from __future__ import annotations

from pathlib import Path

import pytest
from security.world import signed_in

BASELINE = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
MEDIA_NAME = "ab" * 32 + ".png"


@pytest.fixture
def media(app, world):
    """A media file of project B in the instance's media store."""
    folder = Path(app.instance_path) / "media" / str(world["b"].id)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MEDIA_NAME).write_bytes(PNG)
    (Path(app.instance_path) / "secret_key").write_text("do-not-serve")
    return f"/media/{world['b'].id}/{MEDIA_NAME}"


def _responses(app, world, make_token, media):
    web = signed_in(app, world["rb"])
    bearer = {"Authorization": f"Bearer {make_token(world['rb'])}"}
    anonymous = app.test_client()
    return {
        "page": web.get("/p/bravo"),
        "fragment": web.get("/p/bravo/progress", headers={"HX-Request": "true"}),
        "sign-in page": anonymous.get("/login"),
        "redirect": anonymous.get("/p/bravo"),
        "api json": web.client.get("/api/v1/projects/bravo/stats", headers=bearer),
        "api 401": anonymous.get("/api/v1/projects/bravo/stats"),
        "api 404": web.client.get("/api/v1/projects/nope/stats", headers=bearer),
        "error page 404": web.get("/p/nope"),
        "error page 405": web.client.delete("/p/bravo"),
        "csrf 400": web.client.post("/p/bravo/settings/terms", data={"body": "x"}),
        "media": web.get(media),
        "export stream": web.post("/p/bravo/export", data={"format": "raw"}),
        "static": anonymous.get("/static/js/app.js"),
        "static 404": anonymous.get("/static/js/nope.js"),
    }


def test_every_kind_of_response_carries_the_security_headers(app, world, make_token, media):
    for kind, response in _responses(app, world, make_token, media).items():
        response.get_data()
        for name, value in BASELINE.items():
            assert response.headers.get(name) == value, f"{kind}: {name}"
        csp = response.headers.get("Content-Security-Policy", "")
        assert "script-src 'self'" in csp or "default-src 'none'" in csp, f"{kind}: CSP {csp!r}"
        assert "frame-ancestors 'none'" in csp or "sandbox" in csp, kind
        assert "Strict-Transport-Security" not in response.headers, f"{kind}: no HSTS in testing"


def test_private_answers_are_never_stored_and_static_assets_are_cacheable(app, world, make_token, media):
    responses = _responses(app, world, make_token, media)
    for kind, response in responses.items():
        response.get_data()
        cache = response.headers.get("Cache-Control", "")
        if kind.startswith("static"):
            assert "no-store" not in cache, kind
        elif kind == "media":
            # Media are immutable files named by their hash: the browser may keep them, no one else.
            assert "private" in cache, kind
            assert "public" not in cache, kind
        else:
            assert "no-store" in cache, f"{kind}: Cache-Control {cache!r}"
    assert responses["static"].status_code == 200
    assert responses["media"].status_code == 200


def test_hsts_in_production_on_https_or_when_forced(app, world):
    app.config["TESTING"] = False
    try:
        client = app.test_client()
        secure = client.get("/login", base_url="https://annotate.example")
        assert secure.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
        plain = client.get("/login")
        assert "Strict-Transport-Security" not in plain.headers
        app.config["FORCE_HSTS"] = True
        assert "Strict-Transport-Security" in client.get("/login").headers
        app.config["HSTS_MAX_AGE"] = 0
        assert "Strict-Transport-Security" not in client.get("/login", base_url="https://annotate.example").headers
        app.config["HSTS_MAX_AGE"] = 600
        app.debug = True
        assert "Strict-Transport-Security" not in client.get("/login", base_url="https://annotate.example").headers
    finally:
        app.debug = False
        app.config.update(TESTING=True, FORCE_HSTS=False, HSTS_MAX_AGE=31536000)


TRAVERSALS = [
    "../annotate/config.py",
    "..%2fannotate%2fconfig.py",
    "%2e%2e/%2e%2e/pyproject.toml",
    "..%5c..%5cpyproject.toml",
    "....//....//pyproject.toml",
    "%252e%252e%252fpyproject.toml",
    "/etc/passwd",
    "..%00/pyproject.toml",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_no_path_traversal_on_static_media_and_export_files(app, world, media, path):
    web = signed_in(app, world["rb"])
    pid = world["b"].id
    for url in (
        f"/static/{path}",
        f"/static/js/{path}",
        f"/media/{pid}/{path}",
        f"/media/{pid}/..%2f..%2fsecret_key",
        f"/media/{pid}/..%2f{pid}%2f{MEDIA_NAME}",
        f"/p/bravo/exports/1/files/{path}",
    ):
        response = web.get(url)
        if response.status_code == 308:  # werkzeug merges "//": the tidy URL must be refused too
            location = response.headers["Location"].removeprefix("http://localhost")
            assert location.startswith(("/static/", "/media/", "/p/bravo/")), url
            response = web.get(location)
        body = response.get_data()
        assert response.status_code in (400, 404), f"{url} -> {response.status_code}"
        assert b"do-not-serve" not in body
        assert b"[project]" not in body
        assert b"root:" not in body
