"""Settings from the environment (prefix ``ANNOTATE_``), with safe defaults for development.

Every setting can be given as ``ANNOTATE_<NAME>`` in the environment; Flask's
``from_prefixed_env`` parses JSON values (numbers, booleans) for us.
"""

from __future__ import annotations

import ipaddress
import secrets
from datetime import timedelta
from pathlib import Path

from annotate.limits import DEFAULTS as LIMITS
from annotate.timekeeping import settings as timekeeping
from annotate.timekeeping.settings import DEFAULTS as TIMEKEEPING

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
        # Read from the environment before the app exists (annotate.create_app); here for the record.
        "INSTANCE_PATH": instance_path,
        "DATABASE_URL": f"sqlite:///{Path(instance_path) / 'annotate.db'}",
        "SECRET_KEY": None,
        "TEMPLATES_DIR": str(REPO_ROOT / "task_templates"),
        "EXPORT_SCHEMAS_DIR": str(REPO_ROOT / "exports"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": None,  # decided in finalize(): on outside development
        "WTF_CSRF_TIME_LIMIT": None,  # tokens live as long as the session
        "MAX_CONTENT_LENGTH": 512 * 1024 * 1024,
        # The largest upload the web and the API import accept.
        "IMPORT_MAX_BYTES": 512 * 1024 * 1024,
        # Limits on untrusted input (annotate/limits.py says what each bounds).
        **LIMITS,
        "EXPORTS_DIR": None,  # None: <instance>/exports
        "BASE_URL": None,  # for links made outside a request (invitations from the CLI)
        "MAIL_SERVER": None,  # None: invitations are shown to the inviter, not mailed
        "MAIL_PORT": 25,
        "MAIL_USE_TLS": False,
        "MAIL_USERNAME": None,
        "MAIL_PASSWORD": None,
        "MAIL_FROM": None,  # None: annotate@<MAIL_SERVER>
        "SQL_ECHO": False,
        # Sessions end after this long without a request, and this long after sign-in whatever happens.
        "SESSION_IDLE_MINUTES": 8 * 60,
        "SESSION_MAX_HOURS": 7 * 24,
        # Throttling (annotate.auth.throttle): memory:// counts per worker; redis://host:6379/0 is
        # shared by every worker and host. Limits in the notation "N per M minutes|hours".
        "RATELIMIT_STORAGE_URL": "memory://",
        "LOGIN_LIMIT_ACCOUNT": "10 per 15 minutes",
        "LOGIN_LIMIT_ADDRESS": "30 per 15 minutes",
        "INVITE_LIMIT": "60 per hour",
        # Strict-Transport-Security on HTTPS responses outside debug and testing; 0 turns it off.
        "HSTS_MAX_AGE": 365 * 24 * 3600,
        # Send HSTS on every response, for a TLS proxy whose scheme the app does not see (no ProxyFix).
        "FORCE_HSTS": False,
        # How many reverse proxies in front of the app set X-Forwarded-For/-Proto/-Host/-Prefix.
        # 0 trusts none of those headers (a client could forge them); behind one TLS proxy, 1.
        "PROXY_FIX": 0,
        # Structured logs (annotate.ops.logs): DEBUG, INFO, WARNING or ERROR.
        "LOG_LEVEL": "INFO",
        # /metrics: a bearer token, and/or client networks ("127.0.0.1/32,10.0.0.0/8"); neither: 404.
        "METRICS_TOKEN": None,
        "METRICS_ALLOW": "",
        # How passwords are hashed (werkzeug's notation): "scrypt", "scrypt:N:r:p" or
        # "pbkdf2:sha256:ITERATIONS". Anything weaker than scrypt N=16384 or 600,000 PBKDF2
        # iterations is refused outside ANNOTATE_ENV=testing (where a fast hash saves minutes).
        "PASSWORD_HASH": "scrypt",
        # Time and pay (annotate/timekeeping/): heartbeat period and idle gap in seconds, the
        # currency of every amount, and when a judgment is flagged as mostly pasted.
        **TIMEKEEPING,
        # Quality (annotate/quality/): up to this many judgments the Quality page computes a
        # report that changed while it waits; past it, a worker computes and keeps it.
        "QUALITY_LIVE_LIMIT": 10_000,
        # The task queue's store (annotate.jobs.queue): unset, the app's own database (a SQLite
        # file beside it, or tables in its PostgreSQL database); redis://, postgresql://, sqlite:///.
        "QUEUE_URL": None,
        # The queue's name: workers serve the queue of their name (a key prefix in Redis).
        "QUEUE_NAME": "annotate",
        # Jobs run in the process that enqueues them, no worker (tests not about the queue).
        "QUEUE_IMMEDIATE": False,
        # Jobs one `annotate worker` runs at once.
        "QUEUE_THREADS": 2,
        # Networks webhook targets may be in although not public ("127.0.0.1/32,10.1.0.0/16"); none by default.
        "WEBHOOKS_ALLOW_NETWORKS": "",
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
    for name in ("SESSION_IDLE_MINUTES", "SESSION_MAX_HOURS"):
        value = config[name]
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise ConfigError(f"ANNOTATE_{name} must be a positive number, not {value!r}")
    _check_password_hash(str(config["PASSWORD_HASH"]), env)
    # The cookie itself expires with the absolute lifetime; the server checks both limits.
    config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=config["SESSION_MAX_HOURS"])
    if config.get("SESSION_COOKIE_SECURE") is None:
        config["SESSION_COOKIE_SECURE"] = env == "production"
    _finalize_ops(config)
    try:
        timekeeping.check(config)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def _check_password_hash(method: str, env: str) -> None:
    """Refuse a password hash method werkzeug cannot use, or (outside testing) a weak one."""
    name, *params = method.split(":")
    try:
        numbers = [int(p) for p in params[1 if name == "pbkdf2" else 0 :]]
    except ValueError:
        numbers = [-1]
    known = (name == "scrypt" and len(params) in (0, 3)) or (
        name == "pbkdf2" and len(params) in (1, 2) and params[0] in ("sha256", "sha512")
    )
    if not known or any(n <= 0 for n in numbers):
        raise ConfigError(
            f"ANNOTATE_PASSWORD_HASH must be scrypt, scrypt:N:r:p or pbkdf2:sha256:ITERATIONS, not {method!r}"
        )
    strong = numbers[0] >= 16384 if name == "scrypt" and numbers else True
    if name == "pbkdf2":
        strong = bool(numbers) and numbers[0] >= 600_000
    if not strong and env != "testing":
        raise ConfigError(
            f"ANNOTATE_PASSWORD_HASH {method!r} is too weak: use scrypt (the default), scrypt with N >= 16384, "
            "or pbkdf2:sha256 with at least 600000 iterations"
        )


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
    config["WEBHOOKS_ALLOWED"] = _networks(config.get("WEBHOOKS_ALLOW_NETWORKS"), "WEBHOOKS_ALLOW_NETWORKS")


def _networks(value, setting: str) -> list:
    """A comma-separated list (or a list) of addresses and networks, parsed; ConfigError naming ``setting``."""
    entries = value if isinstance(value, list) else str(value or "").split(",")
    networks = []
    for entry in (str(e).strip() for e in entries):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ConfigError(
                f"ANNOTATE_{setting}: {entry!r} is not an address or network (e.g. 127.0.0.1/32, 10.0.0.0/8)"
            ) from None
    return networks


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
