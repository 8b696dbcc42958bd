"""The urgent alerts an association sent: when, which bulletin, who sent it (or the system), and how many of the
emails went out, are waiting (quiet hours, retries) or failed; how many people of the region had turned alerts off
and how many emails were held for the end of quiet hours when it was sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import Association, OutboundEmail, Region, User
from models.alerts import AlertDelivery, UrgentAlert
from models.bulletins import Bulletin


@dataclass(frozen=True)
class AlertSummary:
    created_at: datetime
    bulletin_id: int
    title: str
    tlp: str
    region: str
    sent_by: str
    sent: int
    waiting: int
    failed: int
    opted_out: int
    quiet_held: int


def sent_alerts(session: Session, association: Association, *, limit: int = 100) -> list[AlertSummary]:
    """The latest alerts with their delivery counts (two queries)."""
    rows = session.execute(
        sa.select(UrgentAlert, Bulletin.title, Bulletin.tlp, Region.name, User.email)
        .join(Bulletin, Bulletin.id == UrgentAlert.bulletin_id)
        .join(Region, Region.id == UrgentAlert.region_id)
        .outerjoin(User, User.id == UrgentAlert.sent_by_user_id)
        .where(UrgentAlert.association_id == association.id)
        .order_by(UrgentAlert.created_at.desc(), UrgentAlert.id.desc())
        .limit(limit)
    ).all()
    ids = [alert.id for alert, *_ in rows]
    counts: dict[tuple[int, str], int] = {}
    if ids:
        for alert_id, status, count in session.execute(
            sa.select(AlertDelivery.alert_id, OutboundEmail.status, sa.func.count())
            .join(OutboundEmail, OutboundEmail.id == AlertDelivery.outbox_id)
            .where(AlertDelivery.alert_id.in_(ids))
            .group_by(AlertDelivery.alert_id, OutboundEmail.status)
        ):
            counts[(alert_id, status)] = count
    return [
        AlertSummary(
            alert.created_at,
            alert.bulletin_id,
            title,
            tlp,
            region,
            email or "the system (casing seen by several stores)",
            counts.get((alert.id, "sent"), 0),
            counts.get((alert.id, "pending"), 0),
            counts.get((alert.id, "failed"), 0),
            alert.opted_out_count,
            alert.quiet_held_count,
        )
        for alert, title, tlp, region, email in rows
    ]
