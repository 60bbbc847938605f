"""annotate: self-hosted expert feedback collection for RLHF."""

from __future__ import annotations

from typing import Any

from flask import Flask

__version__ = "0.1.0"


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then ANNOTATE_* from the environment, then ``test_config``.

    Does no I/O beyond reading (or, in development, creating once) the
    instance secret: no migrations, no network, no data loading.
    """
    from annotate import config, db, web

    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(config.defaults(app.instance_path))
    app.config.from_prefixed_env("ANNOTATE")
    if test_config:
        app.config.from_mapping(test_config)
    config.finalize(app.config, app.instance_path)
    app.config["ANNOTATE_VERSION"] = __version__

    proxies = int(app.config["PROXY_FIX"])
    if proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # The client's address (login throttling, logs) and https (Secure cookies, HSTS,
        # external URLs) as the proxy saw them, trusting only the last ``proxies`` hops.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_prefix=proxies)  # type: ignore[method-assign]

    db.init_app(app)
    web.init_app(app)

    from annotate import cli

    cli.init_app(app)
    return app
