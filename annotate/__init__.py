"""annotate: self-hosted expert feedback collection for RLHF."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # Flask is imported when an app is made, not by every import of a module of annotate
    from flask import Flask

__version__ = "0.1.0"


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then ANNOTATE_* from the environment, then ``test_config``.

    Does no I/O beyond reading (or, in development, creating once) the
    instance secret: no migrations, no network, no data loading.
    """
    from flask import Flask

    from annotate import config, db, ops, unit_of_work, web
    from annotate.auth import throttle

    # The instance folder (SQLite database, uploads, media, exports, the embedded queue): shared
    # by every host and worker of a deployment, so one setting read before the others.
    app = Flask(__name__, instance_path=os.environ.get("ANNOTATE_INSTANCE_PATH") or None, instance_relative_config=True)
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

    ops.init_app(app)  # first: its request hooks time and log everything the others do
    db.init_app(app)
    web.init_app(app)
    throttle.init_app(app)
    register_blueprints(app)
    unit_of_work.init_app(app)  # after every blueprint: it wraps their views

    from annotate import cli

    cli.init_app(app)
    return app


def register_blueprints(app: Flask) -> None:
    """Every blueprint, in one place. A feature's routes in sibling modules (the API's in
    each feature's ``api.py``, the task page's drafts and history, a project's members and progress) are added to their
    blueprint when the module is imported, so each is imported here, before registering."""
    import annotate.assign.api
    import annotate.auth.tokens
    import annotate.browse.api
    import annotate.export.api
    import annotate.ingest.api
    import annotate.projects.api
    import annotate.projects.invitations
    import annotate.projects.members
    import annotate.projects.progress
    import annotate.quality.api
    import annotate.review.api
    import annotate.timekeeping.api
    import annotate.webhooks.api
    import annotate.workbench.drafts
    import annotate.workbench.history  # noqa: F401  (routes on the blueprints below)
    from annotate.api.views import bp as api_bp
    from annotate.auth.admin import bp as admin_bp
    from annotate.auth.views import bp as auth_bp
    from annotate.browse.views import bp as browse_bp
    from annotate.export.views import bp as export_bp
    from annotate.ingest.views import bp as ingest_bp
    from annotate.kinds.views import bp as kinds_bp
    from annotate.projects.views import bp as projects_bp
    from annotate.quality.views import bp as quality_bp
    from annotate.review.views import bp as review_bp
    from annotate.timekeeping import rates
    from annotate.timekeeping.views import bp as timekeeping_bp
    from annotate.web import csrf
    from annotate.webhooks.views import bp as webhooks_bp
    from annotate.workbench.views import bp as workbench_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(workbench_bp)
    app.register_blueprint(projects_bp)
    app.register_blueprint(browse_bp)
    app.register_blueprint(review_bp)
    app.register_blueprint(kinds_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(export_bp)
    app.register_blueprint(ingest_bp)
    app.register_blueprint(timekeeping_bp)
    app.register_blueprint(quality_bp)
    rates.init_app(app)  # every rate change is kept with the moment it took effect
    app.register_blueprint(webhooks_bp)
    app.register_blueprint(api_bp)
    csrf.exempt(api_bp)  # bearer tokens only; the API never reads the session cookie
