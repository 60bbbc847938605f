"""A real HTTP receiver on 127.0.0.1 for webhook deliveries, and the app allowing exactly that address."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str
    deliveries: list[Received] = field(default_factory=list)
    # Status codes to answer, in turn; then 200. A (status, location) pair answers a redirect.
    answers: list = field(default_factory=list)

    def events(self) -> list[str]:
        return [d.headers.get("X-Annotate-Event", "") for d in self.deliveries]


@pytest.fixture
def receiver(app):
    app.config["WEBHOOKS_ALLOWED"] = [__import__("ipaddress").ip_network("127.0.0.1/32")]
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            state.deliveries.append(Received(self.path, dict(self.headers.items()), body))
            answer = state.answers.pop(0) if state.answers else 200
            if isinstance(answer, tuple):
                self.send_response(answer[0])
                self.send_header("Location", answer[1])
            else:
                self.send_response(answer)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_port}/hook"
    yield state
    server.shutdown()
    thread.join(timeout=5)
