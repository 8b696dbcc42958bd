"""The system's own urgent alert for casing seen by several stores of a region (issue 4 part 6).

When casing pattern detection (`patterns.detect_region`) finds a casing pattern — the drafted bulletin's incident
type is casing, or every matched bulletin is casing — shared by at least `auto_alert_min_stores` distinct member
stores of the region, the system publishes the heightened-response bulletin and sends it as an urgent alert itself:
the same `services.send_alert` a moderator uses (opt-in, quiet hours, the re-alert ban of one alert per bulletin),
with no acting person (`urgent_alerts.sent_by_user_id` NULL) and an audit entry "bulletin.auto_alerted" whose actor
is "system". Below the threshold the pattern stays a pending draft for the moderators, as before.

Exactly once: detection runs after every share and from `flask bulletins detect-patterns`; a bulletin that already
has an urgent alert (the system's or a moderator's) is left alone, and so is a draft a moderator rejected (or that
was withdrawn, retired or has expired): the system never overrides a moderator's decision.

The threshold is an association setting. `BulletinSettings` has no column for it yet (adding one needs a shared
migration), so every association uses `DEFAULT_AUTO_ALERT_MIN_STORES`; once a nullable integer column
`auto_alert_min_stores` is added to `bulletin_settings`, `auto_alert_min_stores()` reads it with no other change.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from sqlalchemy.orm import Session

import audit
from alerts.urgent import AlertError, send_alert
from audit import Actor
from models import Association, OutboundEmail, Region
from models.alerts import UrgentAlert
from models.base import utcnow
from models.bulletins import Bulletin, BulletinSettings
from outgoing import events as webhook_events

log = logging.getLogger(__name__)

# Distinct member stores of a region that must have shared a casing pattern before the system alerts on its own.
DEFAULT_AUTO_ALERT_MIN_STORES = 3
# A pattern needs two stores to exist at all; a lower setting would alert on every single store's share.
_LOWEST = 2
SYSTEM_ACTOR = Actor.system("system")


def auto_alert_min_stores(session: Session, association_id: int) -> int:
    """The association's threshold: its setting when `bulletin_settings` has one, else the default (3)."""
    settings = session.get(BulletinSettings, association_id)
    value = getattr(settings, "auto_alert_min_stores", None) if settings is not None else None
    return max(_LOWEST, int(value)) if value else DEFAULT_AUTO_ALERT_MIN_STORES


def is_casing(draft: Bulletin, matched: list[Bulletin]) -> bool:
    return draft.incident_type == "casing" or bool(matched) and all(b.incident_type == "casing" for b in matched)


def auto_alert(
    session: Session, region: Region, draft: Bulletin | None, matched: list[Bulletin], stores: int
) -> list[OutboundEmail]:
    """Publish and alert a casing pattern's draft seen by enough stores; returns the alert emails queued (or none).

    Called by detection for every pattern it drafts or extends, in its transaction. Flushes, never commits.
    """
    if draft is None or draft.kind != "pattern" or not is_casing(draft, matched):
        return []
    threshold = auto_alert_min_stores(session, region.association_id)
    if stores < threshold:
        return []  # stays a draft for the moderators
    if session.scalar(sa.select(UrgentAlert.id).where(UrgentAlert.bulletin_id == draft.id)) is not None:
        return []  # alerted already (by the system on an earlier run, or by a moderator)
    now = utcnow()
    published = False
    if draft.status == "pending":
        if draft.expires_at <= now:
            return []
        draft.status = "published"
        draft.published_at = now
        draft.decided_at = now
        draft.decided_by_user_id = None
        session.flush()
        published = True
        webhook_events.bulletin_published(session, draft)
    elif not draft.is_live(now):
        return []  # rejected, withdrawn, retired or expired: a moderator's decision stands
    association = session.get(Association, region.association_id)
    try:
        alert, rows = send_alert(session, association, draft, actor=None)
    except AlertError:  # a moderator alerted it at this very moment
        log.info("bulletin %s was alerted concurrently; the system sends nothing more", draft.id)
        return []
    audit.record(
        session,
        "bulletin.auto_alerted",
        actor=SYSTEM_ACTOR,
        association_id=region.association_id,
        target=f"bulletin:{draft.id}",
        details={
            "alert_id": alert.id,
            "threshold": threshold,
            "recipients": len(rows),
            "opted_out": alert.opted_out_count,
            "published_by_system": published,
        },
    )
    return rows
