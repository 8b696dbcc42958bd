"""The "I saw this too" page under a bulletin of the feed (the rules are in `bulletins.sightings`)."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from blueprints.feed.forms import SightingForm
from blueprints.feed.views import bp
from blueprints.guards import store_view
from bulletins import feed as services
from bulletins.sightings import report_sighting, sightings_of
from database.request_scope import db
from errors import DomainError
from i18n import _
from sharing.notes import trend_details
from workspace.times import local_to_utc, store_zone


def _page(store, bulletin, form, status=200):
    session = db()
    listed = sightings_of(session, [bulletin.id])[bulletin.id]
    details = trend_details(session, [bulletin.id]).get(bulletin.id)
    return render_template(
        "feed/sighting.html", store=store, b=bulletin, form=form, sightings=listed, details=details
    ), status


@bp.route("/<int:bulletin_id>/sightings", methods=["GET", "POST"])
@store_view()
def sighting(store, membership, bulletin_id: int):
    session = db()
    bulletin = services.get_visible(session, store, bulletin_id)
    form = SightingForm()
    if not form.is_submitted():
        return _page(store, bulletin, form)
    if not form.validate():
        return _page(store, bulletin, form, 400)
    seen_at = local_to_utc(form.seen_at.data, store_zone(store))
    try:
        report_sighting(
            session,
            store,
            bulletin,
            note=form.note.data or "",
            seen_at=seen_at,
            user_id=current_user.id,
            user_name=current_user.name,
        )
    except DomainError as exc:
        form.seen_at.errors = [*form.seen_at.errors, str(exc)]
        return _page(store, bulletin, form, 400)
    flash(_("Thank you: your sighting is listed under the bulletin, without your store's name."), "success")
    return redirect(url_for("feed.index", store_slug=store.slug) + f"#bulletin-{bulletin.id}")
