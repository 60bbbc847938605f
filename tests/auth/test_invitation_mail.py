"""With ANNOTATE_MAIL_SERVER set, an invitation is mailed (to a tiny SMTP server in a thread) and not shown."""

from __future__ import annotations

import socketserver
import threading

import pytest
from sqlalchemy import select


class _SMTP(socketserver.StreamRequestHandler):
    """Just enough SMTP to accept one message: the lines of each DATA section land in ``server.messages``."""

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self) -> None:
        self.reply("220 test ESMTP")
        while line := self.rfile.readline():
            command = line.decode().strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self.reply("250 test")
            elif command == "DATA":
                self.reply("354 go on")
                body = []
                while (data := self.rfile.readline()) not in (b".\r\n", b""):
                    body.append(data.decode())
                self.server.messages.append("".join(body))
                self.reply("250 queued")
            elif command == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 ok")


@pytest.fixture
def smtp_server():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SMTP)
    server.messages = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_invitation_is_mailed_when_a_mail_server_is_configured(
    app, smtp_server, make_user, make_project, signed_in, session
):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.server_address[1], MAIL_FROM="lab@example.org")
    researcher = make_user("researcher")
    make_project("mail", title="Mailed project", members=[(researcher, "researcher")])
    web = signed_in(researcher)
    response = web.post("/p/mail/members", {"email": "mailme@example.org", "role": "expert"})
    assert response.status_code == 303
    page = web.get("/p/mail/members").text
    # A job of the task queue mails it (run at once in tests); its token was made by the job.
    assert "A set-password link is being mailed to mailme@example.org" in page
    assert "/invite/" not in page
    [message] = smtp_server.messages
    assert "To: mailme@example.org" in message
    assert "Mailed project" in message
    assert "/invite/" in message


def test_an_unreachable_mail_server_is_shown_and_the_link_can_be_passed_on_by_hand(
    app, make_user, make_project, signed_in, session
):
    from annotate.models import ProjectMember, User

    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1)  # nothing listens on port 1
    researcher = make_user("researcher")
    make_project("nomail", members=[(researcher, "researcher")])
    web = signed_in(researcher)
    assert web.post("/p/nomail/members", {"email": "lost@example.org", "role": "expert"}).status_code == 303
    page = web.get("/p/nomail/members").text
    assert "The mail to <bdi>lost@example.org</bdi> could not be delivered yet" in page
    assert "ConnectionRefusedError" in page
    assert "/invite/" not in page
    session.rollback()
    member_id = session.scalar(select(ProjectMember.id).join(User).where(User.email == "lost@example.org"))
    by_hand = web.post(f"/p/nomail/members/{member_id}/invitation", {"by": "hand"})
    assert by_hand.status_code == 200
    assert "/invite/" in by_hand.text


def test_a_membership_offer_is_mailed_without_a_link_that_signs_in(
    app, smtp_server, make_user, make_project, signed_in, session
):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.server_address[1], MAIL_FROM="lab@example.org")
    alice, mallory, expert = make_user("researcher"), make_user("researcher"), make_user("expert")
    make_project("own", members=[(alice, "researcher"), (expert, "expert")])
    make_project("other", title="Other project", members=[(mallory, "researcher")])
    web = signed_in(mallory)
    assert web.post("/p/other/members", {"email": expert.email, "role": "expert"}).status_code == 303
    assert "(they are being mailed)" in web.get("/p/other/members").text
    [message] = smtp_server.messages
    assert f"To: {expert.email}" in message
    assert "Other project" in message
    assert "http://localhost/invitations" in message
    assert "/invite/" not in message
