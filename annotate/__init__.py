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
    from annotate import config, db, ops, web

    app = Flask(__name__, instance_relative_config=True)
    app.config.from_mapping(config.defaults(app.instance_path))
    app.config.from_prefixed_env("ANNOTATE")
    if test_config:
        app.config.from_mapping(test_config)
    config.finalize(app.config, app.instance_path)
    app.config["ANNOTATE_VERSION"] = __version__

    ops.init_app(app)  # first: its request hooks time and log everything the others do
    db.init_app(app)
    web.init_app(app)

    from annotate import cli

    cli.init_app(app)
    return app
