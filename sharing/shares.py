"""Sharing an incident with the region: build the anonymizer's inputs from the store's own records, preview the
draft, publish only `draft.shared_payload()` as a bulletin, and keep "I shared this as bulletin N" in the store.

Everything here runs inside the store's request (the session is bound to its schema). Nothing written outside the
store's schema names the store: the bulletin row has no store id, and the shared audit log gets no entry for the
share or the withdrawal (an entry with the store's id next to a bulletin's time would point at the source). The
store's own `shared_bulletins` row is its record of who shared what and when.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

import trends
from alerts.patterns import enqueue_detection
from anonymize import (
    TLP,
    BulletinDraft,
    IncidentFacts,
    PersonDescription,
    PlaceContext,
    PlaceHeld,
    StoreIdentity,
    VehicleDescription,
    anonymize_incident,
    coarsen_place,
    ensure_feed_publishable,
)
from errors import DomainError
from i18n import _
from logbook import red_flags
from models import (
    Area,
    Incident,
    Keyholder,
    Membership,
    PoliceContact,
    Region,
    SecurityBriefing,
    Store,
    User,
)
from models.base import this_hour, utcnow
from models.bulletins import DEFAULT_LIFETIME, Bulletin, BulletinSettings
from models.store.sharing import SharedBulletin
from outgoing import events as webhook_events
from regions import effective_settings
from sharing import photos as shared_photos
from workspace.profile import address_parts, get_profile
from workspace.profile import trade_names as profile_trade_names

# What a store may choose when it shares (RED and CLEAR never go to the feed).
SHARE_TLPS = (TLP.AMBER_STRICT, TLP.AMBER, TLP.GREEN)
DEFAULT_TLP = TLP.AMBER
_NAME_SPLIT = re.compile(r"[,;/\n&+]|\band\b", re.IGNORECASE)


class SharingError(DomainError):
    """A share or withdrawal that cannot be done as asked."""


class AlreadyShared(SharingError):
    """The incident has a live share: a conflict with the current state (409 where nothing catches it: the API)."""

    status_code = 409


def _nonblank(values) -> tuple[str, ...]:
    seen: list[str] = []
    for value in values:
        value = (value or "").strip()
        if value and value not in seen:
            seen.append(value)
    return tuple(seen)


def _names_in(text: str) -> list[str]:
    """Names typed in the incident's "staff involved" field ("Sam, Priya and Morag")."""
    return [part.strip(" .()") for part in _NAME_SPLIT.split(text or "") if len(part.strip(" .()")) >= 2]


def store_identity(session: Session, store: Store, incident: Incident | None = None) -> StoreIdentity:
    """Everything the store's own records say identifies it, for the scrub only (never stored outside)."""
    contacts = session.scalars(sa.select(PoliceContact)).all()
    keyholders = session.scalars(sa.select(Keyholder)).all()
    briefing = session.scalar(sa.select(SecurityBriefing).limit(1))
    people = session.execute(
        sa.select(User.name, User.email)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.store_id == store.id)
    ).all()
    # Every case number, deleted incidents' too (not `live()`): the scrub removes more, never less.
    case_numbers = session.scalars(sa.select(Incident.police_report_number).where(Incident.police_report_number != ""))
    profile = get_profile(session)
    address = address_parts(profile.street_address)
    slug_words = store.slug.replace("-", " ").strip()
    trade_names = (
        [slug_words] if re.search(r"[a-z]{3}", slug_words) and slug_words.lower() != store.name.lower() else []
    )
    trade_names += profile_trade_names(profile)
    staff = [name for name, _email in people]
    if incident is not None:
        staff += _names_in(incident.staff_involved)
    return StoreIdentity(
        name=store.name,
        trade_names=_nonblank(trade_names),
        street=address.street,
        street_number=address.number,
        postcode=profile.postcode,
        city=profile.city,
        address_lines=_nonblank(address.rest),
        websites=_nonblank([profile.website]),
        phones=_nonblank(
            [profile.phone]
            + [c.phone for c in contacts]
            + [k.phone for k in keyholders]
            + ([briefing.alarm_company_phone] if briefing else [])
        ),
        emails=_nonblank([profile.shop_email] + [c.email for c in contacts] + [email for _name, email in people]),
        staff_names=_nonblank(staff),
        keyholder_names=_nonblank(k.name for k in keyholders),
        officer_names=_nonblank(c.officer_name for c in contacts),
        case_numbers=_nonblank(case_numbers),
    )


def place_context(session: Session, store: Store) -> PlaceContext:
    """The store's region and area from the registry, with the counts the place-label rule needs (ready member
    stores per area, per region of the association: `trends.group_sizes`, counts only)."""
    region_ids = list(session.scalars(sa.select(Region.id).where(Region.association_id == store.association_id)))
    sizes = trends.group_sizes(session, store.association, region_ids)
    areas = session.scalars(sa.select(Area).where(Area.region_id == store.region_id)).all()
    settings = effective_settings(store.association, store.region)
    k = settings.k_threshold
    own = store.area
    area_counts = {a.id: sizes.get((store.region_id, a.id), 0) for a in areas}
    return PlaceContext(
        region_name=store.region.name,
        area_name=own.name if own else None,
        area_store_count=area_counts.get(own.id, 0) if own else 0,
        k=k,
        timezone=settings.zone.key,
        small_place_names=tuple(a.name for a in areas if area_counts[a.id] < k and (own is None or a.id != own.id)),
        region_store_count=sizes.get((store.region_id, None), 0),
        region_area_counts=tuple(area_counts.values()),
        association_name=store.association.name,
        association_region_counts=tuple(sizes.get((region_id, None), 0) for region_id in region_ids),
    )


def held_reason(session: Session, store: Store) -> str | None:
    """Why the store's shares are held (no place label is safe yet), or None: shown on the preview."""
    try:
        coarsen_place(place_context(session, store))
    except PlaceHeld as exc:
        return str(exc)
    return None


def incident_facts(incident: Incident) -> IncidentFacts:
    return IncidentFacts(
        incident_type=incident.incident_type,
        title=incident.title,
        narrative=incident.narrative,
        occurred_at=incident.occurred_at,
        location_note=incident.location_note,
        people=tuple(
            PersonDescription(
                clothing=p.clothing,
                build=p.build,
                height=p.height,
                behaviour=p.behaviour,
                asked_about=p.asked_about,
                other_details=p.other_details,
            )
            for p in incident.people
        ),
        vehicles=tuple(
            VehicleDescription(make=v.make, model=v.model, colour=v.colour, plate=v.plate, plate_state=v.plate_state)
            for v in incident.vehicles
        ),
        red_flags=tuple(red_flags.known(incident.red_flags)),
    )


def parse_tlp(value: str | None) -> TLP:
    try:
        tlp = TLP.parse(value or DEFAULT_TLP)
    except ValueError:
        return DEFAULT_TLP
    return tlp if tlp in SHARE_TLPS else DEFAULT_TLP


def draft_for(
    session: Session,
    store: Store,
    incident: Incident,
    tlp: TLP,
    *,
    share_photos: bool = False,
    keep_names: Iterable[str] = (),
) -> BulletinDraft:
    """The draft the store previews and confirms. `keep_names`: flagged name-like words the store chose to publish
    as typed; every other flagged word is scrubbed as "[name]" (the safe default)."""
    return anonymize_incident(
        incident_facts(incident),
        store_identity(session, store, incident),
        place_context(session, store),
        tlp=tlp,
        share_photos=share_photos,
        keep_names=keep_names,
    )


def current_share(session: Session, incident: Incident) -> SharedBulletin | None:
    """The incident's live share (not withdrawn), if any."""
    return session.scalar(
        sa.select(SharedBulletin)
        .where(SharedBulletin.incident_id == incident.id, SharedBulletin.withdrawn_at.is_(None))
        .order_by(SharedBulletin.id.desc())
        .limit(1)
    )


def bulletin_of(session: Session, store: Store, share: SharedBulletin, *, for_update: bool = False) -> Bulletin | None:
    query = sa.select(Bulletin).where(Bulletin.id == share.bulletin_id, Bulletin.association_id == store.association_id)
    return session.scalar(query.with_for_update() if for_update else query)


def auto_publish(session: Session, association_id: int) -> bool:
    settings = session.get(BulletinSettings, association_id)
    return bool(settings and settings.auto_publish)


@dataclass(frozen=True)
class ShareResult:
    bulletin: Bulletin
    share: SharedBulletin


def share_incident(
    session: Session,
    store: Store,
    incident: Incident,
    tlp: TLP,
    *,
    user_id: int,
    user_name: str,
    share_photos: bool = False,
    keep_names: Iterable[str] = (),
) -> ShareResult:
    """Publish the anonymized draft as a bulletin (pending, or published when the association auto-publishes)."""
    if current_share(session, incident) is not None:
        raise AlreadyShared(_("This incident is already shared. Withdraw it first to share it again."))
    try:
        draft = draft_for(session, store, incident, tlp, share_photos=share_photos, keep_names=keep_names)
    except PlaceHeld as exc:  # nothing is written: the refusal rolls the request back
        raise SharingError(str(exc)) from exc
    ensure_feed_publishable(draft)
    payload = draft.shared_payload()
    now = this_hour()  # the shared row's times, to the hour (source anonymity, issue #17 item 6)
    published = auto_publish(session, store.association_id)
    area_id = store.area_id if payload["area"] else None
    bulletin = Bulletin(
        association_id=store.association_id,
        region_id=store.region_id,
        area_id=area_id,
        area_label=payload["area"],
        region_label=payload["region"],
        kind="incident",
        tlp=payload["tlp"],
        incident_type=payload["incident_type"],
        title=(payload["title"] or "Incident")[:200],
        narrative=payload["narrative"],
        location_note=payload["location_note"][:300],
        day=draft.when.day,
        part_of_day=payload["part_of_day"],
        iso_week=payload["iso_week"],
        people=payload["people"],
        vehicles=payload["vehicles"],
        red_flags=payload["red_flags"],
        photos_allowed=False,
        status="published" if published else "pending",
        published_at=now if published else None,
        expires_at=now + DEFAULT_LIFETIME,
    )
    session.add(bulletin)
    session.flush()
    if draft.photos_allowed:  # ticked, and AMBER or stricter (ANONYMIZATION.md rule 5)
        shared_photos.share_photos(session, bulletin, incident)
    share = SharedBulletin(
        bulletin_id=bulletin.id,
        incident_id=incident.id,
        tlp=bulletin.tlp,
        shared_by_user_id=user_id,
        shared_by_name=user_name[:200],
    )
    session.add(share)
    session.flush()
    # No trend fact is written here (it would pair with this bulletin by id order): the week's counts are taken
    # from the stores' own records once it has closed (`trends.closing`).
    enqueue_detection(session, bulletin.region_id)  # casing patterns across the region's stores, once this commits
    if published:
        webhook_events.bulletin_published(session, bulletin)
    return ShareResult(bulletin, share)


def withdraw(session: Session, store: Store, incident: Incident, *, user_name: str) -> Bulletin:
    share = current_share(session, incident)
    if share is None:
        raise SharingError(_("This incident is not shared."))
    bulletin = bulletin_of(session, store, share, for_update=True)
    now = utcnow()
    if bulletin is not None and bulletin.status in ("pending", "published", "merged"):
        # The store took it back: nothing of it is kept outside the store's schema.
        bulletin.status = "withdrawn"
        bulletin.withdrawn_at = this_hour(now)
        bulletin.title = "Withdrawn bulletin"
        bulletin.narrative = ""
        bulletin.location_note = ""
        bulletin.people = []
        bulletin.vehicles = []
        bulletin.red_flags = []
        shared_photos.delete_photos(session, bulletin)
    share.withdrawn_at = now
    share.withdrawn_by_name = user_name[:200]
    session.flush()
    return bulletin
