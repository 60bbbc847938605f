"""Settings from the environment (prefix ``ANNOTATE_``), with safe defaults for development.

Every setting can be given as ``ANNOTATE_<NAME>`` in the environment; Flask's
``from_prefixed_env`` parses JSON values (numbers, booleans) for us.
"""

from __future__ import annotations

import ipaddress
import secrets
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
MIN_SECRET_LENGTH = 32
MIN_METRICS_TOKEN_LENGTH = 16


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
        # Structured logs (annotate.ops.logs): DEBUG, INFO, WARNING or ERROR.
        "LOG_LEVEL": "INFO",
        # /metrics: a bearer token, and/or client networks ("127.0.0.1/32,10.0.0.0/8"); neither: 404.
        "METRICS_TOKEN": None,
        "METRICS_ALLOW": "",
        # The task queue's Redis (redis:// or rediss://), checked by /readyz when set.
        "QUEUE_URL": None,
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
    _finalize_ops(config)


def _finalize_ops(config: dict) -> None:
    """Check the logging and metrics settings; parse ANNOTATE_METRICS_ALLOW into networks."""
    level = str(config.get("LOG_LEVEL") or "INFO").upper()
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
        raise ConfigError(f"ANNOTATE_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, not {config['LOG_LEVEL']!r}")
    config["LOG_LEVEL"] = level
    token = config.get("METRICS_TOKEN")
    if token is not None and token != "":
        token = str(token)  # from_prefixed_env turns an all-digit value into a number
        if len(token) < MIN_METRICS_TOKEN_LENGTH:
            raise ConfigError(f"ANNOTATE_METRICS_TOKEN must be at least {MIN_METRICS_TOKEN_LENGTH} characters")
    config["METRICS_TOKEN"] = token or None
    allow = config.get("METRICS_ALLOW") or ""
    entries = allow if isinstance(allow, list) else str(allow).split(",")
    networks = []
    for entry in (str(e).strip() for e in entries):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ConfigError(
                f"ANNOTATE_METRICS_ALLOW: {entry!r} is not an address or network (e.g. 127.0.0.1/32, 10.0.0.0/8)"
            ) from None
    config["METRICS_ALLOW_NETWORKS"] = networks


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
