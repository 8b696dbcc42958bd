"""Outgoing webhook pages of the admin portal (`/a/<association>/webhooks`). The domain is `outgoing/`."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for

from blueprints.guards import association_admin_view
from blueprints.outgoing_webhooks.forms import ActionForm, SubscribeForm
from blueprints.web import current_actor
from database.request_scope import db
from errors import DomainError
from i18n import _
from outgoing import subscriptions as services

bp = Blueprint("outgoing_webhooks", __name__, url_prefix="/a/<association_slug>/webhooks")


class OwnerUrls:
    """The links of one owner's pages (an association's, or a liaison's under /liaison/)."""

    def __init__(self, endpoint_prefix: str, **values):
        self.prefix, self.values = endpoint_prefix, values

    def index(self) -> str:
        return url_for(f"{self.prefix}.index", **self.values)

    def detail(self, subscription_id: int) -> str:
        return url_for(f"{self.prefix}.detail", subscription_id=subscription_id, **self.values)

    def test(self, subscription_id: int) -> str:
        return url_for(f"{self.prefix}.send_test", subscription_id=subscription_id, **self.values)

    def delete(self, subscription_id: int) -> str:
        return url_for(f"{self.prefix}.delete", subscription_id=subscription_id, **self.values)


def _allow_private() -> bool:
    return bool(current_app.config.get("WEBHOOKS_ALLOW_PRIVATE_TARGETS"))


@bp.route("/", methods=["GET", "POST"])
@association_admin_view
def index(association):
    session = db()
    form = SubscribeForm()
    secret = status = None
    if form.validate_on_submit():
        try:
            made = services.subscribe(
                session,
                association,
                url=form.url.data,
                chosen_events=form.events.data,
                max_tlp=form.max_tlp.data,
                actor=current_actor(),
                allow_private=_allow_private(),
            )
        except DomainError as exc:
            form.url.errors = [*form.url.errors, str(exc)]
            status = 400
        else:
            secret = made.secret
            form = SubscribeForm(formdata=None)
    elif form.is_submitted():
        status = 400
    return render_template(
        "outgoing_webhooks/index.html",
        association=association,
        owner_name=association.name,
        region_name=None,
        urls=OwnerUrls("outgoing_webhooks", association_slug=association.slug),
        subscriptions=services.listing(session, association),
        form=form,
        secret=secret,
    ), status or 200


@bp.route("/<int:subscription_id>")
@association_admin_view
def detail(association, subscription_id: int):
    session = db()
    subscription = services.get(session, association, subscription_id)
    return render_template(
        "outgoing_webhooks/detail.html",
        association=association,
        owner_name=association.name,
        urls=OwnerUrls("outgoing_webhooks", association_slug=association.slug),
        subscription=subscription,
        deliveries=services.delivery_log(session, subscription),
        action_form=ActionForm(),
    )


@bp.route("/<int:subscription_id>/test", methods=["POST"])
@association_admin_view
def send_test(association, subscription_id: int):
    if ActionForm().validate_on_submit():
        services.send_test(db(), association, subscription_id, actor=current_actor())
        flash(_("Test delivery queued: it appears in the log below once sent."), "success")
    return redirect(
        url_for("outgoing_webhooks.detail", association_slug=association.slug, subscription_id=subscription_id)
    )


@bp.route("/<int:subscription_id>/delete", methods=["POST"])
@association_admin_view
def delete(association, subscription_id: int):
    if ActionForm().validate_on_submit():
        services.delete(db(), association, subscription_id, actor=current_actor())
        flash(_("Webhook deleted: nothing more is sent to it."), "success")
    return redirect(url_for("outgoing_webhooks.index", association_slug=association.slug))
