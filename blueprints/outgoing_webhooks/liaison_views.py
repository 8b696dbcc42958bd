"""A police liaison's agency subscribes its systems (`/liaison/webhooks/`): the liaison's region only, never above
TLP:AMBER (`outgoing.subscriptions.subscribe`, `liaison=`). Two-step sign-in required, as for every liaison page."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template

from blueprints.form_helpers import choices
from blueprints.guards import liaison_memberships, liaison_view, require_two_step
from blueprints.outgoing_webhooks.forms import ActionForm, SubscribeForm
from blueprints.outgoing_webhooks.views import OwnerUrls
from blueprints.web import current_actor
from database.request_scope import db
from errors import DomainError
from i18n import _
from models import Region
from outgoing import subscriptions as services
from outgoing.events import LIAISON_TLPS

bp = Blueprint("liaison_webhooks", __name__, url_prefix="/liaison/webhooks")


def _membership():
    """The liaison membership the agency's webhooks hang on (the first, as the liaison pages use)."""
    return liaison_memberships()[0]


def _own(subscription_id: int):
    """The liaison's own subscription (404 for any other, whatever their enrolment, as the review pages answer),
    then two-step sign-in."""
    membership = _membership()
    subscription = services.get(db(), membership.association, subscription_id, liaison=membership)
    require_two_step()
    return membership, subscription


def _page_values(membership) -> dict:
    region = db().get(Region, membership.region_id) if membership.region_id else None
    return {
        "association": membership.association,
        "owner_name": membership.agency or _("Your agency"),
        "region_name": region.name if region else None,
        "urls": OwnerUrls("liaison_webhooks"),
    }


@bp.route("/", methods=["GET", "POST"])
@liaison_view
def index():
    require_two_step()
    membership = _membership()
    session = db()
    form = SubscribeForm()
    form.max_tlp.choices = choices((t, f"TLP:{t}") for t in LIAISON_TLPS)
    secret = status = None
    if form.validate_on_submit():
        try:
            made = services.subscribe(
                session,
                membership.association,
                url=form.url.data,
                chosen_events=form.events.data,
                max_tlp=form.max_tlp.data,
                actor=current_actor(),
                allow_private=bool(current_app.config.get("WEBHOOKS_ALLOW_PRIVATE_TARGETS")),
                liaison=membership,
            )
        except DomainError as exc:
            form.url.errors = [*form.url.errors, str(exc)]
            status = 400
        else:
            secret = made.secret
            form = SubscribeForm(formdata=None)
            form.max_tlp.choices = choices((t, f"TLP:{t}") for t in LIAISON_TLPS)
    elif form.is_submitted():
        status = 400
    return render_template(
        "outgoing_webhooks/index.html",
        subscriptions=services.listing(session, membership.association, liaison=membership),
        form=form,
        secret=secret,
        **_page_values(membership),
    ), status or 200


@bp.route("/<int:subscription_id>")
@liaison_view
def detail(subscription_id: int):
    membership, subscription = _own(subscription_id)
    return render_template(
        "outgoing_webhooks/detail.html",
        subscription=subscription,
        deliveries=services.delivery_log(db(), subscription),
        action_form=ActionForm(),
        **_page_values(membership),
    )


@bp.route("/<int:subscription_id>/test", methods=["POST"])
@liaison_view
def send_test(subscription_id: int):
    membership, _subscription = _own(subscription_id)
    if ActionForm().validate_on_submit():
        services.send_test(db(), membership.association, subscription_id, actor=current_actor(), liaison=membership)
        flash(_("Test delivery queued: it appears in the log below once sent."), "success")
    return redirect(OwnerUrls("liaison_webhooks").detail(subscription_id))


@bp.route("/<int:subscription_id>/delete", methods=["POST"])
@liaison_view
def delete(subscription_id: int):
    membership, _subscription = _own(subscription_id)
    if ActionForm().validate_on_submit():
        services.delete(db(), membership.association, subscription_id, actor=current_actor(), liaison=membership)
        flash(_("Webhook deleted: nothing more is sent to it."), "success")
    return redirect(OwnerUrls("liaison_webhooks").index())
