""" "I saw this too": a member reports a sighting on a bulletin of its region's feed.

The note is anonymized with the reporting store's identity and its time coarsened (day, part of day); the shared
`bulletin_sightings` row has no store id and no author. The store keeps its own words and who reported it in its
own schema (`reported_sightings`).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from wtforms import DateTimeLocalField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from anonymize import anonymize_police_note, coarsen_time
from blueprints.feed.views import bp
from blueprints.guards import store_view
from blueprints.logbook.forms import DATETIME_FORMATS
from bulletins import feed as services
from database.request_scope import db
from errors import DomainError
from models import Store
from models.base import utcnow
from models.bulletins import Bulletin
from models.sightings import BulletinSighting, TrendBulletinDetails
from models.store.sightings import ReportedSighting
from sharing.notes import trend_details
from sharing.shares import place_context, store_identity
from workspace.times import local_to_utc, store_zone

MAX_SHOWN = 20


class SightingError(DomainError):
    """A sighting that cannot be recorded as asked."""


class SightingForm(FlaskForm):
    note = TextAreaField("What you saw", validators=[DataRequired("Say briefly what you saw."), Length(max=1000)])
    seen_at = DateTimeLocalField("When", format=DATETIME_FORMATS, validators=[InputRequired("Say when.")])


def report_sighting(
    session: Session, store: Store, bulletin: Bulletin, *, note: str, seen_at: datetime, user_id: int, user_name: str
) -> BulletinSighting:
    if seen_at > utcnow():
        raise SightingError("A sighting cannot be in the future.")
    place = place_context(session, store)
    draft = anonymize_police_note({"note": note}, store_identity(session, store), place, tlp=bulletin.tlp)
    when = coarsen_time(seen_at, place.timezone)
    sighting = BulletinSighting(
        bulletin_id=bulletin.id, note=draft.fields["note"], day=when.day, part_of_day=when.part_of_day
    )
    session.add(sighting)
    session.flush()
    session.add(
        ReportedSighting(
            bulletin_id=bulletin.id,
            sighting_id=sighting.id,
            note=note,
            seen_at=seen_at,
            reported_by_user_id=user_id,
            reported_by_name=user_name[:200],
        )
    )
    session.flush()
    return sighting


def sightings_of(session: Session, bulletin_ids: list[int]) -> dict[int, list[BulletinSighting]]:
    """The sightings reported under each bulletin, newest first."""
    out: dict[int, list[BulletinSighting]] = {i: [] for i in bulletin_ids}
    if bulletin_ids:
        query = (
            sa.select(BulletinSighting)
            .where(BulletinSighting.bulletin_id.in_(bulletin_ids))
            .order_by(BulletinSighting.day.desc().nulls_last(), BulletinSighting.id.desc())
        )
        for row in session.scalars(query):
            out[row.bulletin_id].append(row)
    return out


def feed_extras(session: Session, bulletin_ids: list[int]) -> tuple[dict[int, list], dict[int, TrendBulletinDetails]]:
    return sightings_of(session, bulletin_ids), trend_details(session, bulletin_ids)


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
    flash("Thank you: your sighting is listed under the bulletin, without your store's name.", "success")
    return redirect(url_for("feed.index", store_slug=store.slug) + f"#bulletin-{bulletin.id}")
