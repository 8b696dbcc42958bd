"""Regional feed views: the list with its filters, and "this helped" feedback. Every store member may read it."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_login import current_user

from blueprints.feed.cards import bulletin_card
from blueprints.feed.forms import FeedFilterForm, HelpedForm
from blueprints.form_helpers import choices
from blueprints.guards import store_view
from bulletins import feed as services
from bulletins.merging import duplicates_of
from bulletins.sightings import feed_extras
from database.request_scope import db
from i18n import _
from models import plates
from models.store.logbook import INCIDENT_TYPES

bp = Blueprint("feed", __name__, url_prefix="/s/<store_slug>/feed")
FILTERS = ("kind", "tlp", "area", "since", "until")  # kept on the "Older bulletins" and "Newest" links


@bp.app_context_processor
def _bulletin_helpers():
    return {"incident_types": INCIDENT_TYPES, "bulletin_card": bulletin_card}


@bp.app_context_processor
def _duplicate_helpers():
    return {"feed_duplicates": lambda items: duplicates_of(db(), [item.bulletin.id for item in items])}


# A plate reads as the witness wrote it ("..19 FK."), never as its matching key (`models.plates`); in the feed, the
# liaison's pages and the emails alike.
bp.add_app_template_filter(plates.as_written, "plate")
bp.add_app_template_filter(plates.is_partial, "plate_partial")


@bp.app_template_filter("feed_day")
def _feed_day(day) -> str:
    """A bulletin's day in the reader's language ("Fri 4 Dec 2026")."""
    return format_date(day, "EEE d MMM yyyy")


@bp.route("/")
@store_view()
def index(store, membership):
    session = db()
    form = FeedFilterForm(formdata=request.args)
    form.area.choices = choices(
        [("", _("All areas")), *[(str(a.id), a.name) for a in services.region_areas(session, store)]]
    )
    page = {
        "store": store,
        "form": form,
        "helped_form": HelpedForm(),
        "sightings": {},
        "details": {},
        "older_url": None,
        "newest_url": None,
    }
    if not form.validate():
        return render_template("feed/index.html", items=[], **page), 400
    since, until = services.day_window(store, form.since.data, form.until.data)
    # The page key must be a bulletin this store may see (NotFound otherwise): it only ever narrows the feed.
    before = services.get_visible(session, store, form.before.data) if form.before.data else None
    found = services.feed(
        session,
        store,
        user_id=current_user.id,
        kind=form.kind.data or None,
        tlp=form.tlp.data or None,
        area_id=int(form.area.data) if form.area.data else None,
        since=since,
        until=until,
        before=before,
    )
    page["sightings"], page["details"] = feed_extras(session, [item.bulletin.id for item in found.items])
    filters = {k: v for k, v in request.args.items() if k in FILTERS and v}
    page["older_url"] = (
        url_for("feed.index", store_slug=store.slug, **filters, before=found.older.id) if found.older else None
    )
    page["newest_url"] = url_for("feed.index", store_slug=store.slug, **filters) if before else None
    return render_template("feed/index.html", items=found.items, **page)


@bp.route("/<int:bulletin_id>/helped", methods=["POST"])
@store_view()
def helped(store, membership, bulletin_id: int):
    session = db()
    bulletin = services.get_visible(session, store, bulletin_id)
    if not HelpedForm().validate_on_submit():
        abort(400)
    if services.mark_helped(session, bulletin, current_user.id):
        flash(_("Thank you: the association will know this bulletin helped."), "success")
    return redirect(url_for("feed.index", store_slug=store.slug) + f"#bulletin-{bulletin.id}")
