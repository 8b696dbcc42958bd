""" "I saw this too": a member reports a sighting on a bulletin of its region's feed.

The note is anonymized with the reporting store's identity and its time coarsened (day, part of day); the shared
`bulletin_sightings` row has no store id and no author. The store keeps its own words and who reported it in its
own schema (`reported_sightings`).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from anonymize import anonymize_police_note, coarsen_time
from errors import DomainError
from i18n import _
from jobs.queue import notify
from models import Store
from models.base import utcnow
from models.bulletins import Bulletin
from models.sightings import BulletinSighting, TrendBulletinDetails
from models.store.sightings import ReportedSighting
from sharing.notes import trend_details
from sharing.shares import place_context, store_identity

MAX_SHOWN = 20


class SightingError(DomainError):
    """A sighting that cannot be recorded as asked."""


def report_sighting(
    session: Session, store: Store, bulletin: Bulletin, *, note: str, seen_at: datetime, user_id: int, user_name: str
) -> BulletinSighting:
    if seen_at > utcnow():
        raise SightingError(_("A sighting cannot be in the future."))
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
    # The store that shared the bulletin learns "a member saw it" and the region's liaisons are told; neither job
    # is given the reporting store.
    notify(session, "bulletin.sighted", bulletin_id=bulletin.id, ref=str(sighting.id))
    notify(session, "liaison.sighting", sighting_id=sighting.id)
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
