"""Police notes as bulletins: a liaison's crime-trend bulletin for a region, and a store's relayed police note.

Both go through `anonymize_police_note`. A liaison's text is scrubbed with the identities of every store of the
region (read from each store's own schema, for the scrub only), so it cannot name the store that told them; a
relayed note with the relaying store's own identity. Both land in the moderation queue with no store id.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

import audit
from anonymize import TLP, NoteDraft, PlaceContext, StoreIdentity, anonymize_police_note, ensure_feed_publishable
from audit import Actor
from i18n import _
from models import Area, Region, Store, StoreStatus
from models.base import utcnow
from models.bulletins import DEFAULT_LIFETIME, Bulletin
from models.sightings import TrendBulletinDetails
from models.store.sharing import SharedBulletin
from outgoing import events as webhook_events
from regions import effective_settings
from sharing.shares import (
    DEFAULT_TLP,
    SHARE_TLPS,
    SharingError,
    auto_publish,
    place_context,
    store_identity,
)
from tenants.binding import store_session
from tenants.readable import readable_stores

TREND_FIELDS = ("title", "modus_operandi", "watch_for", "recommendation")
NOTE_FIELDS = ("title", "text")
MAX_VALIDITY = timedelta(days=365)


def parse_tlp(value: str | None) -> TLP:
    try:
        tlp = TLP.parse(value or DEFAULT_TLP)
    except ValueError:
        return DEFAULT_TLP
    return tlp if tlp in SHARE_TLPS else DEFAULT_TLP


def liaison_regions(session: Session, memberships: list[tuple[int, int | None]]) -> list[Region]:
    """The regions a police liaison works for, from their (association id, region id) liaison memberships: the
    membership's region when the association set one, else every region of that association (a liaison for the
    whole association). The trend-bulletin form, the liaison's feed, patterns, trends and exports all ask this."""
    if not memberships:
        return []
    wanted = [
        Region.id == region_id if region_id is not None else Region.association_id == association_id
        for association_id, region_id in memberships
    ]
    own = sa.and_(Region.association_id.in_([a for a, _ in memberships]), sa.or_(*wanted))
    return list(session.scalars(sa.select(Region).where(own).order_by(Region.name, Region.id)))


def region_identities(session: Session, engine: Engine, region: Region) -> list[StoreIdentity]:
    """Every store of the region, as the scrub needs it; each store's schema is read in a session of its own."""
    stores = session.scalars(readable_stores(region_id=region.id)).all()
    identities: list[StoreIdentity] = []
    for store in stores:
        with store_session(engine, store.schema_name) as bound:
            identities.append(store_identity(bound, store))
    # Stores not ready yet are still named in the registry: their names are scrubbed too.
    for name in session.scalars(
        sa.select(Store.name).where(Store.region_id == region.id, Store.status != StoreStatus.READY)
    ):
        identities.append(StoreIdentity(name=name))
    return identities


def region_place(session: Session, region: Region) -> PlaceContext:
    """A region-wide place: no area is named; areas under k stores are scrubbed from the text."""
    settings = effective_settings(region.association, region)
    k = settings.k_threshold
    counts = dict(
        session.execute(
            sa.select(Area.name, sa.func.count(Store.id))
            .outerjoin(Store, Store.area_id == Area.id)
            .where(Area.region_id == region.id)
            .group_by(Area.name)
        ).all()
    )
    return PlaceContext(
        region_name=region.name,
        k=k,
        timezone=settings.zone.key,
        small_place_names=tuple(name for name, count in counts.items() if count < k),
    )


def trend_draft(session: Session, engine: Engine, region: Region, values: dict[str, str], tlp: TLP) -> NoteDraft:
    texts = {name: values.get(name) or "" for name in TREND_FIELDS}
    return anonymize_police_note(
        texts, region_identities(session, engine, region), region_place(session, region), tlp=tlp
    )


def _expiry(valid_until: date | None, now: datetime) -> datetime:
    if valid_until is None:
        return now + DEFAULT_LIFETIME
    expires = datetime.combine(valid_until, time(23, 59), tzinfo=now.tzinfo)
    if expires <= now:
        raise SharingError(_("The validity period must end in the future."))
    if expires - now > MAX_VALIDITY:
        raise SharingError(_("A bulletin can be valid for one year at most."))
    return expires


def post_trend(
    session: Session,
    engine: Engine,
    region: Region,
    values: dict[str, str],
    tlp: TLP,
    *,
    valid_until: date | None,
    actor: Actor,
) -> Bulletin:
    """A liaison's trend bulletin, anonymized, waiting for moderation (kind police_trend)."""
    draft = trend_draft(session, engine, region, values, tlp)
    ensure_feed_publishable(draft)
    now = utcnow()
    fields = draft.fields
    bulletin = Bulletin(
        association_id=region.association_id,
        region_id=region.id,
        area_id=None,
        area_label=None,
        region_label=draft.place.region,
        kind="police_trend",
        tlp=draft.tlp.value,
        title=(fields["title"] or "Police trend")[:200],
        narrative=fields["modus_operandi"],
        status="pending",
        expires_at=_expiry(valid_until, now),
    )
    session.add(bulletin)
    session.flush()
    session.add(
        TrendBulletinDetails(
            bulletin_id=bulletin.id,
            modus_operandi=fields["modus_operandi"],
            watch_for=fields["watch_for"],
            recommendation=fields["recommendation"],
        )
    )
    session.flush()
    audit.record(
        session,
        "bulletin.trend_posted",
        actor=actor,
        association_id=region.association_id,
        target=f"bulletin:{bulletin.id}",
        details={"region_id": region.id, "tlp": bulletin.tlp},
    )
    return bulletin


def note_draft(session: Session, store: Store, values: dict[str, str], tlp: TLP) -> NoteDraft:
    texts = {name: values.get(name) or "" for name in NOTE_FIELDS}
    return anonymize_police_note(texts, store_identity(session, store), place_context(session, store), tlp=tlp)


def relay_note(
    session: Session, store: Store, values: dict[str, str], tlp: TLP, *, user_id: int, user_name: str
) -> Bulletin:
    """A store's relayed police note, anonymized with its own identity (kind relayed_note); the store keeps the
    link in its own `shared_bulletins` (no incident). Like a share, nothing outside the store names it."""
    draft = note_draft(session, store, values, tlp)
    ensure_feed_publishable(draft)
    if not draft.fields["text"].strip():
        raise SharingError(_("Say what your police contact told you."))
    payload = draft.shared_payload()
    now = utcnow()
    published = auto_publish(session, store.association_id)
    bulletin = Bulletin(
        association_id=store.association_id,
        region_id=store.region_id,
        area_id=store.area_id if payload["area"] else None,
        area_label=payload["area"],
        region_label=payload["region"],
        kind="relayed_note",
        tlp=payload["tlp"],
        title=(payload["title"] or "Police note")[:200],
        narrative=payload["text"],
        status="published" if published else "pending",
        published_at=now if published else None,
        expires_at=now + DEFAULT_LIFETIME,
    )
    session.add(bulletin)
    session.flush()
    session.add(
        SharedBulletin(
            bulletin_id=bulletin.id,
            incident_id=None,
            tlp=bulletin.tlp,
            shared_by_user_id=user_id,
            shared_by_name=user_name[:200],
        )
    )
    session.flush()
    if published:
        webhook_events.bulletin_published(session, bulletin)
    return bulletin


def trend_details(session: Session, bulletin_ids: list[int]) -> dict[int, TrendBulletinDetails]:
    if not bulletin_ids:
        return {}
    rows = session.scalars(sa.select(TrendBulletinDetails).where(TrendBulletinDetails.bulletin_id.in_(bulletin_ids)))
    return {row.bulletin_id: row for row in rows}
