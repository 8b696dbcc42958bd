"""Views of the inbox and of the per-event choices. Thin: parse, call `notifications.inbox`, render."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from blueprints.guards import store_view
from blueprints.notifications.forms import CsrfForm
from blueprints.web import access
from database.request_scope import db
from i18n import _
from notifications import inbox as services

bp = Blueprint("notifications", __name__)


def _roles() -> set[str]:
    return {m.role for m, _store in current_user.stores} | {m.role for m in current_user.association_memberships}


@bp.route("/notifications/")
@access("account")
@login_required
def inbox():
    items = services.inbox(db(), current_user.id, in_store=False)
    return render_template("notifications/inbox.html", items=items, store=None, form=CsrfForm())


@bp.route("/s/<store_slug>/notifications/")
@store_view()
def store_inbox(store, membership):
    items = services.inbox(db(), current_user.id, in_store=True)
    return render_template("notifications/inbox.html", items=items, store=store, form=CsrfForm())


def _open(scope: str, notification_id: int):
    if not CsrfForm().validate_on_submit():
        abort(400)
    link = services.open_notification(db(), current_user.id, notification_id, scope=scope)
    return redirect(link or request.referrer or url_for("notifications.inbox"))


@bp.route("/notifications/<int:notification_id>/open", methods=["POST"])
@access("account")
@login_required
def open_shared(notification_id: int):
    return _open("shared", notification_id)


@bp.route("/s/<store_slug>/notifications/<int:notification_id>/open", methods=["POST"])
@store_view()
def open_store(store, membership, notification_id: int):
    return _open("store", notification_id)


@bp.route("/notifications/read", methods=["POST"])
@access("account")
@login_required
def read_all():
    if not CsrfForm().validate_on_submit():
        abort(400)
    services.mark_all_read(db(), current_user.id, in_store=False)
    return redirect(url_for("notifications.inbox"))


@bp.route("/s/<store_slug>/notifications/read", methods=["POST"])
@store_view()
def store_read_all(store, membership):
    if not CsrfForm().validate_on_submit():
        abort(400)
    services.mark_all_read(db(), current_user.id, in_store=True)
    return redirect(url_for("notifications.store_inbox", store_slug=store.slug))


@bp.route("/account/notifications/", methods=["GET", "POST"])
@access("account")
@login_required
def settings():
    session, roles = db(), _roles()
    form = CsrfForm()
    status = 200
    if form.validate_on_submit():
        offered = [c.event.key for c in services.choices_for(session, current_user.id, roles)]
        chosen = {key: (f"in_app:{key}" in request.form, f"email:{key}" in request.form) for key in offered}
        services.save_choices(session, current_user.id, roles, chosen)
        flash(_("Notification settings saved."), "success")
        return redirect(url_for("notifications.settings"))
    if form.is_submitted():
        status = 400
    rows = services.choices_for(session, current_user.id, roles)
    return render_template("notifications/settings.html", rows=rows, form=form), status
