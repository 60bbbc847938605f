"""/healthz (process up, no database) and /readyz (database and the task queue's store)."""

from __future__ import annotations

import secrets
import socket
import threading

import pytest

from annotate import create_app


def _app(database_url: str, tmp_path, **config):
    app = create_app(
        {
            "ENV": "testing",
            "DATABASE_URL": database_url,
            "SECRET_KEY": secrets.token_urlsafe(32),
            "QUEUE_NAME": f"health-{secrets.token_hex(4)}",
            **config,
        }
    )
    app.instance_path = str(tmp_path / "instance")
    return app


# Unreachable without any server: a closed port on loopback, a file in a folder that does not exist.
UNREACHABLE = {
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:1/test?connect_timeout=2",
    "sqlite": "sqlite:////nonexistent-folder-for-annotate-tests/annotate.db",
}


def test_ready_on_the_real_database(client):
    for path in ("/healthz", "/readyz"):
        response = client.get(path)
        assert response.status_code == 200, response.text
        assert response.get_json() == {"status": "ok"}
        assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("kind", sorted(UNREACHABLE))
def test_healthz_needs_no_database_and_readyz_says_why_not(kind, tmp_path):
    client = _app(UNREACHABLE[kind], tmp_path).test_client()
    assert client.get("/healthz").status_code == 200
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable"
    # The embedded queue lives in the app's database (PostgreSQL) or beside it (a SQLite file).
    assert set(body["failed"]) == ({"database", "queue"} if kind == "postgresql" else {"database"})
    assert body["failed"]["database"].startswith("OperationalError")
    assert "postgres@" not in body["failed"]["database"]  # a reason, never the URL


class FakeRedis:
    """A loopback server that answers every command with ``reply`` (enough for a PING)."""

    def __init__(self, reply: bytes = b"+PONG\r\n"):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.reply = reply
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.recv(64)
                conn.sendall(self.reply)

    def close(self):
        self.sock.close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_readyz_pings_the_queue_redis_when_configured(database_url, tmp_path):
    server = FakeRedis()
    try:
        ok = _app(database_url, tmp_path, QUEUE_URL=f"redis://127.0.0.1:{server.port}/0").test_client()
        assert ok.get("/readyz").status_code == 200
    finally:
        server.close()
    down = _app(database_url, tmp_path, QUEUE_URL=f"redis://:hunter2@127.0.0.1:{_closed_port()}/0").test_client()
    response = down.get("/readyz")
    assert response.status_code == 503
    failed = response.get_json()["failed"]
    assert set(failed) == {"queue"}
    assert "ConnectionRefusedError" in failed["queue"]
    assert "hunter2" not in response.text


def test_a_redis_that_refuses_auth_is_still_reachable_but_garbage_is_not(database_url, tmp_path):
    for reply, status in ((b"-NOAUTH Authentication required.\r\n", 200), (b"HTTP/1.1 400\r\n", 503)):
        server = FakeRedis(reply)
        try:
            client = _app(database_url, tmp_path, QUEUE_URL=f"redis://127.0.0.1:{server.port}").test_client()
            assert client.get("/readyz").status_code == status
        finally:
            server.close()


def test_readyz_checks_the_embedded_queue(database_url, tmp_path):
    ok = _app(database_url, tmp_path, QUEUE_URL=f"sqlite:///{tmp_path / 'queue.db'}").test_client()
    assert ok.get("/readyz").status_code == 200
    down = _app(database_url, tmp_path, QUEUE_URL="sqlite:////dev/null/queue.db")
    response = down.test_client().get("/readyz")
    assert response.status_code == 503
    assert set(response.get_json()["failed"]) == {"queue"}
