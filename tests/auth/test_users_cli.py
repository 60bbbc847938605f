"""`annotate users link | set-role | deactivate | activate`."""

from __future__ import annotations

from helpers import csrf_from

from annotate.models import Role, User


def test_link_sets_a_password_once(runner, make_user, client, session):
    user = make_user("admin", email="first@example.org", password=None)
    result = runner.invoke(args=["users", "link", "first@example.org", "--base-url", "https://annotate.example.org"])
    assert result.exit_code == 0, result.output
    url = result.stdout.strip().splitlines()[-1]
    assert url.startswith("https://annotate.example.org/invite/")
    path = url.removeprefix("https://annotate.example.org")
    csrf = csrf_from(client.get(path).text)
    assert (
        client.post(
            path, data={"password": "first-password", "confirm": "first-password", "csrf_token": csrf}
        ).status_code
        == 303
    )
    session.expire_all()
    assert session.get(User, user.id).password_hash is not None
    assert client.get(path).status_code == 410


def test_role_and_activation(runner, make_user, session):
    user = make_user("expert", email="e@example.org")
    assert runner.invoke(args=["users", "set-role", "e@example.org", "researcher"]).exit_code == 0
    assert runner.invoke(args=["users", "deactivate", "e@example.org"]).output.strip() == "deactivated e@example.org"
    session.expire_all()
    user = session.get(User, user.id)
    assert user.role is Role.RESEARCHER
    assert not user.active
    refused = runner.invoke(args=["users", "link", "e@example.org"])
    assert refused.exit_code != 0
    assert "deactivated" in refused.output
    assert runner.invoke(args=["users", "activate", "e@example.org"]).exit_code == 0
    missing = runner.invoke(args=["users", "deactivate", "nobody@example.org"])
    assert missing.exit_code != 0
    assert "no user with email nobody@example.org" in missing.output
