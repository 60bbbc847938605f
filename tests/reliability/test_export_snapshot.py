"""An export read while experts go on submitting is one snapshot: its rows are the
judgments committed at one moment (for each expert, a prefix of what they submitted, in
order), and the export's record (rows, sha256) describes exactly the bytes served."""

from __future__ import annotations

import hashlib
import http.client
import socket
import threading
import time

import orjson
from helpers import api_call, pair_rows

from annotate.models import ExportRecord, ProjectRole
from annotate.models.export import ExportStatus
from annotate.projects.services import add_member


def slow_download(base: str, token: str, path: str) -> tuple[int, dict, bytes]:
    """GET ``path`` through a small receive window, a little at a time: the server's stream
    stays open (and its read transaction with it) while the writers commit."""
    host, port = base.removeprefix("http://").split(":")
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((host, int(port)))
    conn = http.client.HTTPConnection(host, int(port), timeout=120)
    conn.sock = sock
    conn.request("GET", path, headers={"Authorization": f"Bearer {token}"})
    response = conn.getresponse()
    body = bytearray()
    while chunk := response.read(2048):
        body += chunk
        time.sleep(0.002)
    conn.close()
    return response.status, dict(response.getheaders()), bytes(body)


def test_an_export_during_submits_is_one_snapshot(live_server, judged, make_user, make_token, import_rows, session):
    team = judged(300, n_experts=3, slug="snap")
    researcher = make_user("researcher")
    add_member(session, team.project, researcher, ProjectRole.RESEARCHER)
    session.commit()
    research_token = make_token(researcher)
    import_rows(team.project, pair_rows(120, prefix="late"), name="late.jsonl")
    before = 300

    submitted: dict[str, list[int]] = {t: [] for t in team.tokens}
    stop = threading.Event()
    errors: list[str] = []

    def expert(token: str) -> None:
        while not stop.is_set():
            status, claim = api_call(live_server, token, "/api/v1/projects/snap/assignments")
            if status == 204:
                return
            if status != 201:
                errors.append(f"claim {status} {claim}")
                return
            status, body = api_call(
                live_server,
                token,
                f"/api/v1/assignments/{claim['assignment']['id']}/judgment",
                {"answers": {"preferred": "tie"}},
            )
            if status != 201:
                errors.append(f"submit {status} {body}")
                return
            submitted[token].append(body["judgment"]["id"])

    writers = [threading.Thread(target=expert, args=(t,)) for t in team.tokens]
    for w in writers:
        w.start()
    while sum(map(len, submitted.values())) < 10:  # the writers are under way
        time.sleep(0.01)
    status, headers, body = slow_download(live_server, research_token, "/api/v1/projects/snap/export?format=raw")
    during = sum(map(len, submitted.values()))
    stop.set()
    for w in writers:
        w.join(timeout=120)

    assert errors == []
    assert status == 200
    rows = [orjson.loads(line) for line in body.splitlines()]
    exported = {row["judgment_id"] for row in rows}
    assert len(exported) == len(rows) >= before
    for token, ids in submitted.items():
        included = [i in exported for i in ids]
        # A snapshot: what one expert submitted is in the export up to some point, and none after it.
        assert included == sorted(included, reverse=True), f"not one snapshot for {token[:6]}: {included}"
    assert during > 10, "the writers ran while the export was read"

    session.rollback()
    record = session.get(ExportRecord, int(headers["X-Export-Id"]))
    assert record.status is ExportStatus.COMPLETE
    assert record.row_count == len(rows)
    assert record.sha256 == hashlib.sha256(body).hexdigest()
    assert record.summary["judgments_used"] == len(rows)
