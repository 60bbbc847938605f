"""Structured logs: one JSON event per line, request ids, and no secrets in any line."""

from __future__ import annotations

import json
import logging
import re

from flask import request
from helpers import PASSWORD, Browserless, csrf_from

from annotate.ops.logs import redact


def _events(text: str) -> list[dict]:
    """Every line the app wrote, each parsed as JSON (a line that is not JSON fails the test)."""
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_every_request_is_one_json_event_with_route_status_and_duration(client, capsys):
    capsys.readouterr()
    response = client.get("/login")
    assert response.status_code == 200
    (event,) = [e for e in _events(capsys.readouterr().err) if e["event"] == "request"]
    assert event["level"] == "info"
    assert event["route"] == "/login"
    assert event["method"] == "GET"
    assert event["status"] == 200
    assert isinstance(event["duration_ms"], float)
    assert re.fullmatch(r"[0-9a-f]{32}", event["request_id"])
    assert response.headers["X-Request-ID"] == event["request_id"]
    assert event["time"].endswith("+00:00")


def test_a_sane_request_id_is_kept_and_an_odd_one_replaced(client, capsys):
    kept = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.22:9"})
    assert kept.headers["X-Request-ID"] == "lb-7f3a.22:9"
    for odd in ("two words", "x" * 200, "a\u00e9b", ""):
        replaced = client.get("/healthz", headers={"X-Request-ID": odd})
        assert re.fullmatch(r"[0-9a-f]{32}", replaced.headers["X-Request-ID"])


def test_lines_logged_during_a_request_carry_its_id(app, capsys):
    @app.get("/_log_probe")
    def probe():
        logging.getLogger("annotate.some.feature").warning("probe %s", 42, extra={"batch_id": 7})
        return "ok"

    capsys.readouterr()
    app.test_client().get("/_log_probe", headers={"X-Request-ID": "req-probe-1"})
    events = _events(capsys.readouterr().err)
    (probe_event,) = [e for e in events if e["event"] == "probe 42"]
    assert probe_event["logger"] == "annotate.some.feature"
    assert probe_event["level"] == "warning"
    assert probe_event["batch_id"] == 7
    assert probe_event["request_id"] == "req-probe-1"
    (request_event,) = [e for e in events if e["event"] == "request"]
    assert request_event["request_id"] == "req-probe-1"


def test_tracebacks_are_one_event_and_redacted(app, capsys):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: a 500 page, and the error logged

    @app.get("/_boom")
    def boom():
        secret = request.args["s"]
        raise RuntimeError(f"failed with token=ann_{secret}")

    capsys.readouterr()
    response = app.test_client().get("/_boom", query_string={"s": "abcdefghijklmnopqrstuvwxyz"})
    assert response.status_code == 500
    err = capsys.readouterr().err
    assert "abcdefghijklmnopqrstuvwxyz" not in err
    (failure,) = [e for e in _events(err) if e.get("exc")]
    assert "RuntimeError: failed with token=[redacted]" in failure["exc"]


def test_redact_knows_each_kind_of_secret():
    assert redact("token ann_0123456789abcdefXYZ-_ ok") == "token ann_[redacted] ok"
    assert redact("link: https://h/invite/Zm9v-YmFy_baz?x=1") == "link: https://h/invite/[redacted]?x=1"
    assert redact("Authorization: Bearer abc.def") == "Authorization: [redacted] [redacted]"
    assert redact("password=hunter2&x=1 session='eyJ1c2VyIjoxfQ.sig'") == "password=[redacted]&x=1 session='[redacted]'"
    assert redact("nothing to hide, 42 items") == "nothing to hide, 42 items"


def test_invitations_tokens_and_logins_leave_no_secret_in_the_log(app, client, runner, make_user, session, capsys):
    """Drive every path that handles a secret and read everything the app logged."""
    admin = make_user("admin")
    capsys.readouterr()
    web = Browserless(client)
    web.login(admin.email)
    session_cookie = client.get_cookie("session").value
    # An invitation without a mail server: the link is shown to the admin and logged (redacted).
    page = web.post("/admin/users", {"email": "new@example.org", "name": "New", "role": "expert"})
    assert page.status_code == 200
    link = re.search(r'value="http://localhost(/invite/[^"]+)"', page.text).group(1)
    link_token = link.rsplit("/", 1)[1]
    # Redeeming it sets a password.
    invitee = app.test_client()
    csrf = csrf_from(invitee.get(link).text)
    new_password = "a long new password 42"
    done = invitee.post(link, data={"password": new_password, "confirm": new_password, "csrf_token": csrf})
    assert done.status_code == 303
    # An API token, used, and a wrong one.
    created = runner.invoke(args=["tokens", "create", "new@example.org"])
    assert created.exit_code == 0, created.output
    api_token = created.output.strip().splitlines()[-1]
    assert api_token.startswith("ann_")
    assert client.get("/api/v1/me/returned", headers={"Authorization": f"Bearer {api_token}"}).status_code == 200
    wrong = "ann_" + "w" * 43
    assert client.get("/api/v1/me/returned", headers={"Authorization": f"Bearer {wrong}"}).status_code == 401
    # A failed and a good login.
    stranger = Browserless(app.test_client())
    login_page = stranger.client.get("/login")
    bad = stranger.client.post(
        "/login",
        data={"email": "new@example.org", "password": "wrong guess 123", "csrf_token": csrf_from(login_page.text)},
    )
    assert bad.status_code != 303
    stranger.login("new@example.org", new_password)

    logged = capsys.readouterr().err
    events = _events(logged)
    # The test sees the log: the invitation event and the requests are there, …
    assert any(e["event"].startswith("set-password link for new@example.org") for e in events)
    assert {e["route"] for e in events if e["event"] == "request"} >= {"/admin/users", "/invite/<token>", "/login"}
    # … and no secret is in it.
    for secret in (link_token, api_token, wrong, new_password, PASSWORD, session_cookie, csrf):
        assert secret not in logged


def test_webhook_secrets_and_the_queue_log_are_redacted_json(app, capsys):
    import logging

    from annotate.ops.logs import redact

    secret = "whsec_" + "s" * 43
    assert secret not in redact(f"registered with {secret}")
    logging.getLogger("huey.consumer").warning("task failed: %s", secret)
    line = capsys.readouterr().err.strip().splitlines()[-1]
    event = _events(line)[0]
    assert (event["logger"], event["level"]) == ("huey.consumer", "warning")
    assert secret not in line
