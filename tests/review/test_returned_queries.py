"""The returned-judgments pages (web and API) run a fixed number of statements, however many
judgments are listed: each judgment's latest review and its reviewer come in the page's one
query (review.queries.returned_with_review), not one query per row."""

from __future__ import annotations

from contextlib import contextmanager

from helpers import Browserless
from sqlalchemy import event

from annotate.assign.services import claim_next, submit_judgment
from annotate.db import begin_write
from annotate.models import ReviewVerdict
from annotate.review.services import record_review


@contextmanager
def counted(app):
    """Every statement the app's engine runs inside the block."""
    statements: list[str] = []
    engine = app.extensions["annotate.db"][0]

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def return_judgments(session, project, expert, reviewer, n: int) -> None:
    """``expert`` judges ``n`` items and ``reviewer`` sends each back."""
    for i in range(n):
        begin_write(session)
        judgment, _ = submit_judgment(session, claim_next(session, project, expert), project, {"preferred": "r1"})
        record_review(session, judgment, project, reviewer, ReviewVerdict.REJECT, comment=f"look again at {i}")
        session.commit()


def test_the_returned_pages_make_one_query_for_all_rows(app, reviewed, session, make_token):
    project, (alice, bob), rita, _ada = reviewed(n=6, k=2)
    return_judgments(session, project, alice, rita, 1)
    return_judgments(session, project, bob, rita, 4)
    tokens = {user.id: make_token(user) for user in (alice, bob)}

    def statements(user, path: str, api: bool) -> tuple[list[str], object]:
        if api:
            client = app.test_client()
            with counted(app) as seen:
                response = client.get(path, headers={"Authorization": f"Bearer {tokens[user.id]}"})
        else:
            web = Browserless(app.test_client())
            web.login(user.email)
            with counted(app) as seen:
                response = web.get(path)
        assert response.status_code == 200
        return seen, response

    one, page = statements(alice, "/review/returned", api=False)
    four, page4 = statements(bob, "/review/returned", api=False)
    assert page.text.count("look again at") == 1
    assert page4.text.count("look again at") == 4
    assert len(four) == len(one)

    one, body = statements(alice, "/api/v1/me/returned", api=True)
    four, body4 = statements(bob, "/api/v1/me/returned", api=True)
    assert [r["review"]["comment"] for r in body4.get_json()["returned"]] == [f"look again at {i}" for i in range(4)]
    # An expert is not told who reviewed them, on the page or here (tests/security, hole 10).
    assert all("reviewer" not in r["review"] for r in body4.get_json()["returned"])
    assert len(body.get_json()["returned"]) == 1
    assert len(four) == len(one)
