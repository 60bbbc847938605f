"""One unit of work per request (annotate.unit_of_work): views never commit or roll back; the
request commits once when a writing view succeeds, rolls back when it refuses or fails, and
builds an ``after_commit`` / ``after_rollback`` response once the transaction has ended."""

from __future__ import annotations

import ast

import pytest
from flask import Blueprint
from helpers import route_modules
from sqlalchemy import func, select

from annotate import db, unit_of_work
from annotate.assign.services import AssignmentError
from annotate.auth.services import add_user
from annotate.config import REPO_ROOT
from annotate.models import Role, User
from annotate.web import csrf

PACKAGE = REPO_ROOT / "annotate"


def test_no_view_module_commits_or_rolls_back():
    modules = route_modules()
    names = {str(p.relative_to(PACKAGE)) for p, _ in modules}
    # The scan sees the modules it must police.
    assert {"workbench/views.py", "assign/api.py", "auth/admin.py", "workbench/drafts.py"} <= names
    calls = [
        f"{path.relative_to(REPO_ROOT)}:{node.lineno}: .{node.func.attr}()"
        for path, tree in modules
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("commit", "rollback")
    ]
    assert not calls, "views leave the transaction to annotate.unit_of_work:\n" + "\n".join(calls)


def test_every_view_is_in_a_unit_of_work(app):
    assert unit_of_work.unit_of_work_installed(app) == []


@pytest.fixture
def probe(app):
    """Routes that write a user, then answer as told: the app's own views as a test sees them."""
    bp = Blueprint("uow_probe", __name__)
    seen = {}

    def write(email: str) -> None:
        add_user(db.session(), email, role=Role.EXPERT)

    def committed(email: str) -> bool:
        with app.extensions["annotate.db"][0].connect() as conn:  # another connection: only committed rows
            return bool(conn.scalar(select(func.count()).select_from(User).where(User.email == email)))

    @bp.post("/uow/<int:status>")
    def answer(status: int):
        write(f"answer{status}@x.org")
        return "", status

    @bp.post("/uow/raise")
    def fail():
        write("raise@x.org")
        raise AssignmentError("not now")

    @bp.post("/uow/late/<how>")
    def late(how: str):
        email = f"late-{how}@x.org"
        write(email)

        def build():
            seen[how] = committed(email)
            return "built", 409 if how == "commit" else 422

        return (unit_of_work.after_commit if how == "commit" else unit_of_work.after_rollback)(build)

    @bp.get("/uow/get")
    def read_only():
        write("get@x.org")
        return "", 200

    @bp.post("/uow/nothing")
    @unit_of_work.writes_nothing
    def nothing():
        write("nothing@x.org")
        return "", 200

    csrf.exempt(bp)
    app.register_blueprint(bp)
    unit_of_work.init_app(app)  # as create_app does, for the routes added here
    return committed, seen


def test_a_writing_request_commits_once_it_succeeds(client, probe):
    committed, _seen = probe
    assert client.post("/uow/200").status_code == 200
    assert committed("answer200@x.org")
    assert client.post("/uow/303").status_code == 303
    assert committed("answer303@x.org")


def test_a_refused_or_failed_request_leaves_nothing_written(client, probe):
    committed, _seen = probe
    assert client.post("/uow/422").status_code == 422
    assert not committed("answer422@x.org")
    response = client.post("/uow/raise")  # a domain error, mapped to a response in one place
    assert response.status_code == 409
    assert "not now" in response.text
    assert not committed("raise@x.org")


def test_after_commit_and_after_rollback_build_the_response_once_the_transaction_ended(client, probe):
    committed, seen = probe
    response = client.post("/uow/late/commit")
    assert (response.status_code, response.text) == (409, "built")  # kept even with an error status
    assert seen["commit"] is True
    response = client.post("/uow/late/rollback")
    assert response.status_code == 422
    assert seen["rollback"] is False
    assert not committed("late-rollback@x.org")


def test_requests_that_write_nothing_are_never_committed(client, probe):
    committed, _seen = probe
    assert client.get("/uow/get").status_code == 200
    assert client.post("/uow/nothing").status_code == 200
    assert not committed("get@x.org")
    assert not committed("nothing@x.org")


def test_domain_errors_are_json_under_the_api(client, probe, app):
    bp = Blueprint("api_probe", __name__)
    # Under /api/, an AssignmentError a view lets through is the API's JSON error.
    bp.add_url_rule("/api/v1/uow-probe", "probe", lambda: (_ for _ in ()).throw(AssignmentError("taken")))
    app.register_blueprint(bp)
    unit_of_work.init_app(app)
    response = client.get("/api/v1/uow-probe")
    assert response.status_code == 409
    assert response.json == {"error": "taken"}
