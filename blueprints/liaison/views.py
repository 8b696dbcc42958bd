"""The police liaison's reviews. The list reads only the shared index; opening one binds that one store.

Opening a review: the pointer row must be the signed-in liaison's and live (and they must still be a liaison of the
store's association); then the request binds the store, loads the grant in its schema and checks it again there.
Every open, photo and action goes to the store's access log and the audit log.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from blueprints.guards import liaison_memberships, liaison_view, require_two_step, suspended_page
from blueprints.review.display import local_time_formatter, photo_response, render_officer_page, slice_summary
from blueprints.review.forms import ReviewNotesForm
from blueprints.web import current_actor
from database.request_scope import db
from i18n import _
from review import grants as services
from tenants.access import bind_store_by_id
from workspace.times import store_zone

bp = Blueprint("liaison", __name__, url_prefix="/liaison")


def _live_association_ids() -> set[int]:
    return {m.association_id for m in liaison_memberships()}


def _open(share_id: int):
    """The live share, its store (bound) and its grant, or 404 without touching any store schema; a store of an
    association the operator suspended answers the suspended page (423) before its schema is read."""
    share = services.live_share(db(), share_id, current_user.id)
    if share.store.association_id not in _live_association_ids():
        abort(make_response(*suspended_page(share.store.association)))
    require_two_step()
    store = bind_store_by_id(share.store_id)
    # The liaison is no member of the store: the layout must not offer the store's own navigation.
    g.pop("store", None)
    grant = services.liaison_grant(db(), share, current_user.id)
    return share, store, grant


@bp.route("/")
@liaison_view
def home():
    require_two_step()
    rows = [
        {
            "share": share,
            "store": share.store,
            "slice": slice_summary(share),
            "expires": local_time_formatter(store_zone(share.store))(share.expires_at),
            "reviewed": share.reviewed_at is not None,
        }
        for share in services.live_shares(db(), current_user.id)
        if share.store.association_id in _live_association_ids()  # none of a suspended association's
    ]
    return render_template("liaison/home.html", rows=rows)


@bp.route("/reviews/<int:share_id>", methods=["GET", "POST"])
@liaison_view
def review(share_id: int):
    share, store, grant = _open(share_id)
    form = ReviewNotesForm(data={"pattern_notes": grant.pattern_notes} if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            services.save_review(
                db(),
                grant,
                store=store,
                actor=current_actor(),
                pattern_notes=form.pattern_notes.data or "",
                reviewed=form.reviewed.data,
            )
        except services.GrantRefused as exc:
            form.pattern_notes.errors.append(str(exc))
        else:
            flash(_("Saved. The store can see your review."), "success")
            return redirect(url_for("liaison.review", share_id=share.id))
    elif request.method == "GET":
        services.record_open(db(), grant, store=store, actor=current_actor())

    def photo_url(photo):
        return url_for("liaison.photo", share_id=share.id, photo_id=photo.id)

    status = 400 if request.method == "POST" else 200
    return render_officer_page(store=store, grant=grant, form=form, photo_url=photo_url, by_link=False, status=status)


@bp.route("/reviews/<int:share_id>/photos/<int:photo_id>")
@liaison_view
def photo(share_id: int, photo_id: int):
    _share, store, grant = _open(share_id)
    photo = services.slice_photo(db(), grant, photo_id, store_zone(store))
    services.record_photo_view(db(), grant, photo.id, store=store, actor=current_actor())
    return photo_response(photo)
