"""A police contact's review of a logbook slice through the signed link the store emailed (no account).

The token carries the store id, the grant id and the grant's nonce, signed by us; the store is bound only after the
signature checks out, and the grant must still match the nonce and be live. Anything wrong answers 404.
"""

from __future__ import annotations

from flask import abort, flash, g, redirect, request, url_for

from blueprints.officer.views import bp
from blueprints.review.display import photo_response, render_officer_page
from blueprints.review.forms import ReviewNotesForm
from blueprints.web import access, current_actor
from database.request_scope import db
from i18n import _
from review import grants as services
from review.mailers import REVIEW_TOKEN_PURPOSE, review_link_max_age_seconds
from security.tokens import InvalidToken, unsign
from tenants.access import bind_store_by_id
from workspace.times import store_zone


def _open(token: str):
    try:
        payload = unsign(REVIEW_TOKEN_PURPOSE, token, max_age_seconds=review_link_max_age_seconds())
    except InvalidToken:
        abort(404)
    if not isinstance(payload, dict) or not isinstance(payload.get("s"), int):
        abort(404)
    store = bind_store_by_id(payload["s"])
    # Nobody here is a member of the store: no store navigation in the layout.
    g.pop("store", None)
    grant = services.link_grant(db(), payload.get("g"), payload.get("n"))
    actor = current_actor().holding_link(name=grant.recipient_name, email=grant.recipient_email)
    return store, grant, actor


@bp.route("/review/<token>", methods=["GET", "POST"])
@access("signed_link")
def review(token: str):
    store, grant, actor = _open(token)
    form = ReviewNotesForm(data={"pattern_notes": grant.pattern_notes} if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            services.save_review(
                db(),
                grant,
                store=store,
                actor=actor,
                pattern_notes=form.pattern_notes.data or "",
                reviewed=form.reviewed.data,
            )
        except services.GrantRefused as exc:
            form.pattern_notes.errors.append(str(exc))
        else:
            flash(_("Saved. The store can see your review."), "success")
            return redirect(url_for("officer.review", token=token))
    elif request.method == "GET":
        services.record_open(db(), grant, store=store, actor=actor)

    def photo_url(photo):
        return url_for("officer.review_photo", token=token, photo_id=photo.id)

    status = 400 if request.method == "POST" else 200
    return render_officer_page(store=store, grant=grant, form=form, photo_url=photo_url, by_link=True, status=status)


@bp.route("/review/<token>/photos/<int:photo_id>")
@access("signed_link")
def review_photo(token: str, photo_id: int):
    store, grant, actor = _open(token)
    photo = services.slice_photo(db(), grant, photo_id, store_zone(store))
    services.record_photo_view(db(), grant, photo.id, store=store, actor=actor)
    return photo_response(photo)
