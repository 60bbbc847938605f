"""The invitee's side of membership offers: see them, accept or decline, signed in as oneself."""

from __future__ import annotations

from flask import abort, flash, g, url_for

from annotate import db
from annotate.models import MembershipInvitation
from annotate.projects.offers import accept_offer, offers_for, withdraw_offer
from annotate.projects.views import bp
from annotate.web import client_redirect, login_required, render


@bp.get("/invitations")
@login_required
def invitations():
    offers = db.session().scalars(offers_for(g.user).limit(200)).all()
    return render("projects/invitations.html", "content", offers=offers)


def _own_offer(offer_id: int) -> MembershipInvitation:
    offer = db.session().get(MembershipInvitation, offer_id)
    if offer is None or offer.user_id != g.user.id or offer.project.archived:
        abort(404)
    return offer


@bp.post("/invitations/<int:offer_id>/accept")
@login_required
def accept_invitation(offer_id: int):
    offer = _own_offer(offer_id)
    session = db.session()
    project = offer.project
    member = accept_offer(session, offer)
    flash(f"You joined {project.title} as {member.role.value}.")
    return client_redirect(url_for("workbench.project", slug=project.slug))


@bp.post("/invitations/<int:offer_id>/decline")
@login_required
def decline_invitation(offer_id: int):
    offer = _own_offer(offer_id)
    title = offer.project.title
    withdraw_offer(db.session(), offer)
    flash(f"You declined the invitation to {title}.")
    return client_redirect(url_for("projects.invitations"))
