"""Showing a grant: times on the association's clock, the slice in words. Shared by the store's and officers' pages."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Response, render_template, send_file

from blueprints.review.forms import ReviewNotesForm
from database.request_scope import db
from i18n import _l
from models import IncidentPhoto, PoliceShareIndex, ReviewGrant, Store
from review.grants import slice_incidents, type_labels
from workspace.police_card import police_card
from workspace.times import store_zone


def local_time_formatter(zone: ZoneInfo) -> Callable[[datetime | None], str]:
    def when(value: datetime | None) -> str:
        if value is None:
            return "—"
        try:
            return value.astimezone(zone).strftime("%d %b %Y %H:%M")
        except OverflowError:  # a stored time at the edge of the calendar (year 1 or 9999): shown in UTC
            return value.strftime("%d %b %Y %H:%M UTC")

    return when


def slice_summary(grant: ReviewGrant | PoliceShareIndex) -> str:
    return (
        f"{', '.join(type_labels(grant.incident_types))} · "
        f"{grant.since.strftime('%d %b %Y')} – {grant.until.strftime('%d %b %Y')}"
    )


STATE_LABELS = {"live": _l("Active"), "expired": _l("Expired"), "revoked": _l("Revoked")}


PHOTO_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}


def photo_response(photo: IncidentPhoto) -> Response:
    """A slice photo's bytes for an access-checked route: never cached, never sniffed, with a neutral name."""
    mimetype = photo.content_type if photo.content_type in PHOTO_TYPES else "application/octet-stream"
    response = send_file(
        io.BytesIO(photo.data),
        mimetype=mimetype,
        download_name=f"incident-photo-{photo.id}.{PHOTO_TYPES.get(mimetype, 'bin')}",
        as_attachment=False,
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def render_officer_page(
    *,
    store: Store,
    grant: ReviewGrant,
    form: ReviewNotesForm,
    photo_url: Callable[[IncidentPhoto], str],
    by_link: bool,
    status: int = 200,
):
    """The officer's read-only view of a slice with the review form (liaison page and signed-link page alike)."""
    zone = store_zone(store)
    return render_template(
        "review/officer_review.html",
        store=store,
        association=store.association,
        grant=grant,
        incidents=slice_incidents(db(), grant, zone),
        form=form,
        when=local_time_formatter(zone),
        slice_summary=slice_summary,
        photo_url=photo_url,
        by_link=by_link,
        card=police_card(db(), store),
    ), status
