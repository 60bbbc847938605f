"""The profile's API tokens page: create one (name, expiry; the secret shown once), see when each
was created and last used and when it expires, revoke. Only one's own tokens."""

from __future__ import annotations

from flask import abort, flash, g, request, url_for

from annotate import db
from annotate.auth import throttle
from annotate.auth.services import UserError, create_token, parse_expiry_days, revoke_token, token_state, user_tokens
from annotate.auth.views import bp
from annotate.db import utcnow
from annotate.models import ApiToken
from annotate.web import after_rollback, client_redirect, login_required, render

# What the form offers; the service takes any number of days up to MAX_TOKEN_DAYS.
EXPIRY_CHOICES = (("7", "7 days"), ("30", "30 days"), ("90", "90 days"), ("365", "1 year"), ("never", "never"))
SHOWN = 200  # tokens listed; nobody has more than a handful


def _page(*, status: int = 200, error: str | None = None, secret: str | None = None, form=None):
    tokens = db.session().scalars(user_tokens(g.user.id).limit(SHOWN)).all()
    now = utcnow()
    response = render(
        "auth/tokens.html",
        "content",
        status=status,
        tokens=[(token, token_state(token, now)) for token in tokens],
        choices=EXPIRY_CHOICES,
        error=error,
        secret=secret,
        form=form or {},
    )
    # The page may show a secret once: never keep it in a cache.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/profile/tokens")
@login_required
def tokens():
    return _page()


@bp.post("/profile/tokens")
@login_required
def create_api_token():
    """Create a token for oneself; its secret is on this answer only."""
    form = request.form
    refusal = throttle.refused("new_token", user=str(g.user.id))
    if refusal is not None:
        response = _page(status=429, error=refusal.message, form=form)
        response.headers["Retry-After"] = str(refusal.wait)
        return response
    session = db.session()
    try:
        _token, secret = create_token(
            session, g.user, form.get("name", ""), expires_at=parse_expiry_days(form.get("expires", "90"))
        )
    except UserError as exc:
        return after_rollback(_page, status=422, error=str(exc), form=form)
    throttle.count("new_token", user=str(g.user.id))
    return _page(status=201, secret=secret)


@bp.post("/profile/tokens/<int:token_id>/revoke")
@login_required
def revoke_api_token(token_id: int):
    session = db.session()
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != g.user.id:
        abort(404)
    if revoke_token(session, token):
        flash(f"Token {token.prefix}… revoked: it no longer works.")
    return client_redirect(url_for("auth.tokens"))
