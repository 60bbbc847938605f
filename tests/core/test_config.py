"""Configuration: no default secret in production, safe cookies, a generated dev secret."""

from __future__ import annotations

import pytest

from annotate import create_app
from annotate.config import ConfigError


def test_production_refuses_to_start_without_a_strong_secret(tmp_path, monkeypatch):
    monkeypatch.delenv("ANNOTATE_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="ANNOTATE_SECRET_KEY"):
        create_app({"ENV": "production", "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    with pytest.raises(ConfigError, match="at least 32"):
        create_app({"ENV": "production", "SECRET_KEY": "short", "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})


def test_production_with_a_strong_secret_sets_secure_cookies(tmp_path):
    app = create_app({"ENV": "production", "SECRET_KEY": "x" * 40, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_environment_variables_are_read(tmp_path, monkeypatch):
    monkeypatch.setenv("ANNOTATE_ENV", "production")
    monkeypatch.setenv("ANNOTATE_SECRET_KEY", "y" * 40)
    monkeypatch.setenv("ANNOTATE_DATABASE_URL", f"sqlite:///{tmp_path}/env.db")
    app = create_app()
    assert app.config["ENV"] == "production"
    assert app.config["DATABASE_URL"].endswith("env.db")


def test_development_generates_a_secret_once_into_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("ANNOTATE_SECRET_KEY", raising=False)
    from annotate.config import _instance_secret

    first = _instance_secret(tmp_path / "instance")
    second = _instance_secret(tmp_path / "instance")
    assert first == second
    assert len(first) >= 32
    assert (tmp_path / "instance" / "secret_key").stat().st_mode & 0o077 == 0
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    assert app.config["SESSION_COOKIE_SECURE"] is False  # development serves plain http on 127.0.0.1


def test_unknown_env_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="ANNOTATE_ENV"):
        create_app({"ENV": "staging", "SECRET_KEY": "x" * 40, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})


@pytest.mark.parametrize("method", ["pbkdf2:sha256:1000", "scrypt:1024:8:1"])
def test_a_weak_password_hash_is_refused_outside_testing(tmp_path, method):
    config = {"SECRET_KEY": "x" * 40, "DATABASE_URL": f"sqlite:///{tmp_path}/x.db", "PASSWORD_HASH": method}
    for env in ("production", "development"):
        with pytest.raises(ConfigError, match=r"ANNOTATE_PASSWORD_HASH .* too weak"):
            create_app({**config, "ENV": env})
    assert create_app({**config, "ENV": "testing"}).config["PASSWORD_HASH"] == method


@pytest.mark.parametrize("method", ["md5", "pbkdf2:md5:700000", "scrypt:x:8:1", "pbkdf2:sha256:0", "scrypt:1:2"])
def test_an_unknown_password_hash_is_refused(tmp_path, method):
    with pytest.raises(ConfigError, match="ANNOTATE_PASSWORD_HASH must be"):
        create_app({"ENV": "testing", "DATABASE_URL": f"sqlite:///{tmp_path}/x.db", "PASSWORD_HASH": method})


def test_the_configured_hash_is_used_and_a_strong_one_still_verifies(app, make_user, web):
    from werkzeug.security import generate_password_hash

    from annotate import db
    from annotate.models import User

    user = make_user("expert")
    assert user.password_hash.startswith("pbkdf2:sha256:1000$")
    # A hash made under another method (production's scrypt) still signs in: the method is in the hash.
    with app.app_context():
        db.session().get_one(User, user.id).password_hash = generate_password_hash("a-scrypt-password")
        db.session().commit()
    web.login(user.email, "a-scrypt-password")  # asserts the 303 of a successful sign-in
