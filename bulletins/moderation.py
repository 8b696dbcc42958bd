"""Moderation of regional bulletins: the queue, edits, approve, reject with a reason, retire; auto-publish.

Moderators never learn which store shared a bulletin: the bulletin row has no store id, and nothing here reads a
store schema. They see a bulletin's photos (the re-encodings written at share time) before they approve it, as the
feed will show them (ANONYMIZATION.md rule 7), and the name-like words the store chose to keep when the preview
flagged them (`kept_names`), so they can edit them out. Every decision is written to the audit log in the same
transaction, with no store id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Session, undefer

import audit
from anonymize import FLAGGED_FIELDS, flag_fields
from audit import Actor
from bulletins.duplicates import LikelyDuplicate, likely_duplicates
from bulletins.feed import photos_by_bulletin
from errors import DomainError, NotFound
from i18n import _, ngettext
from jobs.queue import notify
from models import Association
from models.base import utcnow
from models.bulletin_photos import BulletinPhoto
from models.bulletins import FEED_TLPS, Bulletin, BulletinSettings
from outgoing import events as webhook_events
from security.tokens import new_secret
from sharing.photos import delete_photos, photos_allowed


class ModerationError(DomainError):
    """A decision that cannot be taken on this bulletin as it stands."""


def _record(session: Session, action: str, association: Association, actor: Actor, bulletin: Bulletin, **details):
    audit.record(
        session,
        action,
        actor=actor,
        association_id=association.id,
        target=f"bulletin:{bulletin.id}",
        details=details or None,
    )


QUEUE_PAGE_SIZE = 20


@dataclass(frozen=True)
class Queue:
    pending: list[Bulletin]  # one page of the bulletins waiting, oldest first
    published: list[Bulletin]
    decided: list[Bulletin]
    photos: dict[int, list[BulletinPhoto]]  # by bulletin id, without their bytes
    names: dict[int, list[str]]  # by bulletin id: flagged name-like words still in its text (`kept_names`)
    pending_count: int = 0  # waiting in all, every page
    page: int = 1
    pages: int = 1
    duplicates: dict[int, list[LikelyDuplicate]] = field(default_factory=dict)  # by waiting bulletin id


class PageOutOfRange(DomainError):
    """A page of the queue past its last one (a 400: the page number came from the address)."""

    status_code = 400


def pending_count(session: Session, association: Association) -> int:
    """How many bulletins wait for review (the admin home page and menu show it)."""
    return session.scalar(
        sa.select(sa.func.count())
        .select_from(Bulletin)
        .where(Bulletin.association_id == association.id, Bulletin.status == "pending")
    )


def queue(session: Session, association: Association, *, page: int = 1, now: datetime | None = None) -> Queue:
    """One page of the waiting bulletins (oldest first), the live published ones and the latest decided ones.

    PageOutOfRange for a page past the last (the first page always exists, empty or not).
    """
    now = now or utcnow()
    count = pending_count(session, association)
    pages = max(1, -(-count // QUEUE_PAGE_SIZE))
    if page < 1 or page > pages:
        raise PageOutOfRange(
            ngettext(
                "There is no page %(page)s: the queue has %(num)d page.",
                "There is no page %(page)s: the queue has %(num)d pages.",
                pages,
                page=page,
            )
        )
    base = sa.select(Bulletin).where(Bulletin.association_id == association.id)
    pending = session.scalars(
        base.where(Bulletin.status == "pending")
        .order_by(Bulletin.id)
        .offset((page - 1) * QUEUE_PAGE_SIZE)
        .limit(QUEUE_PAGE_SIZE)
    ).all()
    published = session.scalars(
        base.where(Bulletin.status == "published", Bulletin.expires_at > now)
        .order_by(Bulletin.published_at.desc())
        .limit(100)
    ).all()
    decided = session.scalars(
        base.where(Bulletin.status.in_(("rejected", "retired", "merged")))
        .order_by(Bulletin.decided_at.desc().nulls_last())
        .limit(20)
    ).all()
    photos = photos_by_bulletin(session, [b.id for b in (*pending, *published)])
    names = {b.id: kept_names(b) for b in (*pending, *published)}
    return Queue(
        list(pending),
        list(published),
        list(decided),
        photos,
        names,
        pending_count=count,
        page=page,
        pages=pages,
        duplicates=likely_duplicates(session, association, list(pending), now=now),
    )


def kept_names(bulletin: Bulletin) -> list[str]:
    """Name-like words the scrubber could not classify that are still in the bulletin's text.

    The share scrubs every flagged word unless the store chose "keep", so what the same detection finds in the
    stored text is what the store kept (or what an edit added since): no store data is needed to show it.
    """
    vehicle_words = [
        str(vehicle.get(name) or "") for vehicle in bulletin.vehicles or [] for name in ("make", "model", "colour")
    ]
    texts = {name: getattr(bulletin, name) or "" for name in FLAGGED_FIELDS}
    return list(dict.fromkeys(flag.text for flag in flag_fields(texts, keep_words=vehicle_words)))


def get_bulletin(session: Session, association: Association, bulletin_id: int) -> Bulletin:
    bulletin = session.scalar(
        sa.select(Bulletin).where(Bulletin.id == bulletin_id, Bulletin.association_id == association.id)
    )
    if bulletin is None:
        raise NotFound(_("No such bulletin in this association."))
    return bulletin


def bulletin_photos(session: Session, bulletin: Bulletin) -> list[BulletinPhoto]:
    """The photos shared with one bulletin (without their bytes), for its edit page."""
    return photos_by_bulletin(session, [bulletin.id]).get(bulletin.id, [])


def get_photo(session: Session, association: Association, stored_name: str) -> BulletinPhoto:
    """A photo (with its bytes) of a bulletin of this association, whatever its status; NotFound otherwise."""
    photo = session.scalar(
        sa.select(BulletinPhoto)
        .join(Bulletin, Bulletin.id == BulletinPhoto.bulletin_id)
        .where(BulletinPhoto.stored_name == stored_name, Bulletin.association_id == association.id)
        .options(undefer(BulletinPhoto.data))
    )
    if photo is None:
        raise NotFound(_("No such photo in this association's bulletins."))
    return photo


def _decide(bulletin: Bulletin, actor: Actor, status: str) -> None:
    bulletin.status = status
    bulletin.decided_by_user_id = actor.user_id
    bulletin.decided_at = utcnow()


def edit(
    session: Session,
    association: Association,
    bulletin: Bulletin,
    *,
    title: str,
    narrative: str,
    location_note: str,
    tlp: str,
    expires_on: date | None,
    actor: Actor,
) -> None:
    if bulletin.status not in ("pending", "published"):
        raise ModerationError(_("Only bulletins waiting for review or published can be edited."))
    if tlp not in FEED_TLPS:
        raise ModerationError(_("Choose TLP:AMBER+STRICT, TLP:AMBER or TLP:GREEN."))
    changed = [
        name
        for name, value in (("title", title), ("narrative", narrative), ("location_note", location_note), ("tlp", tlp))
        if getattr(bulletin, name) != value
    ]
    bulletin.title, bulletin.narrative, bulletin.location_note, bulletin.tlp = title, narrative, location_note, tlp
    if tlp not in ("AMBER+STRICT", "AMBER"):
        # Plates stay only at AMBER or stricter (ANONYMIZATION.md rule 2).
        bulletin.vehicles = [{**vehicle, "plate": "", "plate_state": ""} for vehicle in bulletin.vehicles]
    if not photos_allowed(tlp):
        delete_photos(session, bulletin)  # photos too (ANONYMIZATION.md rule 5)
    if expires_on is not None:
        bulletin.expires_at = datetime.combine(expires_on, time(23, 59), tzinfo=utcnow().tzinfo)
        changed.append("expires_at")
    bulletin.edited_by_moderator = True
    session.flush()
    if changed:  # the store that shared it hears (the job finds it; nothing here knows which store)
        notify(session, "share.edited", bulletin_id=bulletin.id, ref=new_secret()[:16])
    _record(session, "bulletin.edited", association, actor, bulletin, fields=changed)


def approve(session: Session, association: Association, bulletin: Bulletin, *, actor: Actor) -> None:
    if bulletin.status != "pending":
        raise ModerationError(_("Only a bulletin waiting for review can be approved."))
    _decide(bulletin, actor, "published")
    bulletin.published_at = utcnow()
    # Expiry runs from the share (90 days by default) unless the moderator set another date.
    session.flush()
    _record(session, "bulletin.approved", association, actor, bulletin, tlp=bulletin.tlp)
    notify(session, "share.approved", bulletin_id=bulletin.id)
    webhook_events.bulletin_published(session, bulletin)


def reject(session: Session, association: Association, bulletin: Bulletin, *, reason: str, actor: Actor) -> None:
    if bulletin.status != "pending":
        raise ModerationError(_("Only a bulletin waiting for review can be rejected."))
    reason = reason.strip()
    if not reason:
        raise ModerationError(_("Say why the bulletin is rejected."))
    _decide(bulletin, actor, "rejected")
    bulletin.rejection_reason = reason
    session.flush()
    _record(session, "bulletin.rejected", association, actor, bulletin, reason=reason)
    notify(session, "share.rejected", bulletin_id=bulletin.id)


def retire(session: Session, association: Association, bulletin: Bulletin, *, actor: Actor) -> None:
    if bulletin.status != "published":
        raise ModerationError(_("Only a published bulletin can be retired."))
    _decide(bulletin, actor, "retired")
    bulletin.retired_at = utcnow()
    session.flush()
    _record(session, "bulletin.retired", association, actor, bulletin)
    notify(session, "share.retired", bulletin_id=bulletin.id)


def auto_publish(session: Session, association: Association) -> bool:
    settings = session.get(BulletinSettings, association.id)
    return bool(settings and settings.auto_publish)


def set_auto_publish(session: Session, association: Association, enabled: bool, *, actor: Actor) -> None:
    settings = session.get(BulletinSettings, association.id)
    if settings is None:
        settings = BulletinSettings(association_id=association.id, auto_publish=enabled)
        session.add(settings)
    else:
        settings.auto_publish = enabled
    session.flush()
    audit.record(
        session,
        "bulletin.auto_publish_changed",
        actor=actor,
        association_id=association.id,
        target="bulletin_settings",
        details={"auto_publish": enabled},
    )
