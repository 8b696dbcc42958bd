"""Regional feed views: the list with its filters, and "this helped" feedback. Every store member may read it."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from blueprints.feed import services
from blueprints.feed.forms import FeedFilterForm, HelpedForm
from database.request_scope import db
from models.store.logbook import INCIDENT_TYPES
from tenants.access import store_view

bp = Blueprint("feed", __name__, url_prefix="/s/<store_slug>/feed")


@bp.app_context_processor
def _bulletin_helpers():
    return {"incident_types": INCIDENT_TYPES, "latest_bulletins": _latest_bulletins}


def _latest_bulletins(store, count: int = 3):
    """The store dashboard's "Latest regional bulletins" (only ever called from a store's own page)."""
    return services.latest(db(), store, count)


@bp.route("/")
@store_view()
def index(store, membership):
    form = FeedFilterForm(formdata=request.args)
    if not form.validate():
        return render_template("feed/index.html", store=store, form=form, items=[], helped_form=HelpedForm()), 400
    items = services.feed(db(), store, user_id=current_user.id, kind=form.kind.data or None, tlp=form.tlp.data or None)
    return render_template("feed/index.html", store=store, form=form, items=items, helped_form=HelpedForm())


@bp.route("/<int:bulletin_id>/helped", methods=["POST"])
@store_view()
def helped(store, membership, bulletin_id: int):
    session = db()
    bulletin = services.get_visible(session, store, bulletin_id)
    if not HelpedForm().validate_on_submit():
        abort(400)
    if services.mark_helped(session, bulletin, current_user.id):
        flash("Thank you: the association will know this bulletin helped.", "success")
    return redirect(url_for("feed.index", store_slug=store.slug) + f"#bulletin-{bulletin.id}")
