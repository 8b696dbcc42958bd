"""Events become deliveries: one row per matching subscription, written in the event's own transaction, and a job
that sends it once that transaction commits (nothing is sent for an event that was rolled back).

What a delivery carries is what the association may see of the bulletin: its anonymized, published fields (the
bulletin row holds nothing else: no store, no author), and only when its TLP mark is not stricter than the
subscription's `max_tlp`.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from jobs import names
from jobs.queue import enqueue
from models import WebhookDelivery, WebhookSubscription
from models.base import utcnow
from models.bulletins import Bulletin

# From the least to the most restricted: a subscription with max_tlp AMBER gets GREEN and AMBER bulletins.
TLP_ORDER = ("GREEN", "AMBER", "AMBER+STRICT")
# AMBER+STRICT stays within the association (its own systems); a liaison's agency is a partner, not the association.
LIAISON_TLPS = ("GREEN", "AMBER")


def tlp_allowed(bulletin_tlp: str, max_tlp: str) -> bool:
    if bulletin_tlp not in TLP_ORDER or max_tlp not in TLP_ORDER:
        return False
    return TLP_ORDER.index(bulletin_tlp) <= TLP_ORDER.index(max_tlp)


def bulletin_payload(bulletin: Bulletin) -> dict[str, Any]:
    """The anonymized fields of a bulletin, as the API's feed gives them."""
    return {
        "id": bulletin.id,
        "kind": bulletin.kind,
        "tlp": bulletin.tlp,
        "status": bulletin.status,
        "incident_type": bulletin.incident_type,
        "title": bulletin.title,
        "narrative": bulletin.narrative,
        "location_note": bulletin.location_note,
        "region": bulletin.region_label,
        "area": bulletin.area_label,
        "day": bulletin.day.isoformat() if bulletin.day else None,
        "part_of_day": bulletin.part_of_day,
        "iso_week": bulletin.iso_week,
        "people": bulletin.people,
        "vehicles": bulletin.vehicles,
        "red_flags": list(bulletin.red_flags or []),
        "published_at": bulletin.published_at.isoformat() if bulletin.published_at else None,
    }


def emit(
    session: Session,
    association_id: int,
    event: str,
    key: str,
    data: dict,
    *,
    tlp: str | None,
    region_id: int | None = None,
) -> int:
    """Write a delivery of `event` (unique `key`: the same event twice is sent once) for every live subscription of
    the association to it whose `max_tlp` allows `tlp` and, for a liaison's agency, whose region is the event's;
    returns how many. Flushes, never commits."""
    subscriptions = session.scalars(
        sa.select(WebhookSubscription).where(
            WebhookSubscription.association_id == association_id,
            WebhookSubscription.deleted_at.is_(None),
            sa.literal(event) == sa.any_(WebhookSubscription.events),
            sa.or_(WebhookSubscription.region_id.is_(None), WebhookSubscription.region_id == region_id),
        )
    ).all()
    written = 0
    for subscription in subscriptions:
        if tlp is not None and not tlp_allowed(tlp, subscription.max_tlp):
            continue
        written += queue_delivery(session, subscription, event, key, data)
    return written


def queue_delivery(session: Session, subscription: WebhookSubscription, event: str, key: str, data: dict) -> int:
    payload = {"id": key, "event": event, "created": utcnow().isoformat(), "data": data}
    delivery_id = session.scalar(
        insert(WebhookDelivery)
        .values(subscription_id=subscription.id, event=event, event_key=key[:100], payload=payload)
        .on_conflict_do_nothing()
        .returning(WebhookDelivery.id)
    )
    if delivery_id is None:
        return 0
    enqueue(session, names.DELIVER_WEBHOOK, {"delivery_id": delivery_id})
    return 1


def bulletin_published(session: Session, bulletin: Bulletin) -> int:
    return emit(
        session,
        bulletin.association_id,
        "bulletin.published",
        f"bulletin.published:{bulletin.id}",
        {"bulletin": bulletin_payload(bulletin)},
        tlp=bulletin.tlp,
        region_id=bulletin.region_id,
    )


def pattern_detected(session: Session, draft: Bulletin) -> int:
    return emit(
        session,
        draft.association_id,
        "pattern.detected",
        f"pattern.detected:{draft.id}",
        {"bulletin": bulletin_payload(draft)},
        tlp=draft.tlp,
        region_id=draft.region_id,
    )


def urgent_alert_sent(session: Session, bulletin: Bulletin, alert_id: int) -> int:
    return emit(
        session,
        bulletin.association_id,
        "urgent_alert.sent",
        f"urgent_alert.sent:{alert_id}",
        {"alert_id": alert_id, "bulletin": bulletin_payload(bulletin)},
        tlp=bulletin.tlp,
        region_id=bulletin.region_id,
    )
