"""Settings from the environment (prefix ``ANNOTATE_``), with safe defaults for development.

Every setting can be given as ``ANNOTATE_<NAME>`` in the environment; Flask's
``from_prefixed_env`` parses JSON values (numbers, booleans) for us.
"""

from __future__ import annotations

import secrets
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
MIN_SECRET_LENGTH = 32


class ConfigError(RuntimeError):
    """The configuration cannot be used: the message says which setting and why."""


def defaults(instance_path: str) -> dict:
    """Return the defaults every deployment starts from."""
    return {
        # development | production | testing. Production is strict: no generated secret.
        "ENV": "development",
        "DATABASE_URL": f"sqlite:///{Path(instance_path) / 'annotate.db'}",
        "SECRET_KEY": None,
        "TEMPLATES_DIR": str(REPO_ROOT / "task_templates"),
        "EXPORT_SCHEMAS_DIR": str(REPO_ROOT / "exports"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": None,  # decided in finalize(): on outside development
        "WTF_CSRF_TIME_LIMIT": None,  # tokens live as long as the session
        "MAX_CONTENT_LENGTH": 512 * 1024 * 1024,
        "DEFAULT_LEASE_SECONDS": 30 * 60,
        "SQL_ECHO": False,
        # How many reverse proxies in front of the app set X-Forwarded-For/-Proto/-Host/-Prefix.
        # 0 trusts none of those headers (a client could forge them); behind one TLS proxy, 1.
        "PROXY_FIX": 0,
    }


def finalize(config: dict, instance_path: str) -> None:
    """Check the merged config and fill in what depends on other settings.

    Production refuses to start without a strong ``ANNOTATE_SECRET_KEY``;
    development generates one into the instance folder so sessions survive
    restarts without anybody choosing a secret.
    """
    env = config["ENV"]
    if env not in {"development", "production", "testing"}:
        raise ConfigError(f"ANNOTATE_ENV must be development, production or testing, not {env!r}")
    key = config.get("SECRET_KEY")
    if env == "production":
        if not key or len(str(key)) < MIN_SECRET_LENGTH:
            raise ConfigError(
                "ANNOTATE_SECRET_KEY must be set to a random string of at least "
                f"{MIN_SECRET_LENGTH} characters in production, e.g. "
                "python -c 'import secrets; print(secrets.token_urlsafe(48))'"
            )
    elif not key:
        config["SECRET_KEY"] = _instance_secret(Path(instance_path))
    if config.get("SESSION_COOKIE_SECURE") is None:
        config["SESSION_COOKIE_SECURE"] = env == "production"


def _instance_secret(instance: Path) -> str:
    """Read, or create once, the development secret kept in the instance folder."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.touch(mode=0o600)
    path.write_text(key)
    return key
