"""The signed link in a casing alert: the police contact it was sent to opens the report with its photos, where to
go and how to call the store — the photos stay in the store's schema (TLP:RED, never attached to an email that sits
in the shared outbox), and the link expires.

The token names the store, the incident and the contact; it is signed with the app's secret for this purpose only
and stops working after `LINK_MAX_AGE`, or when the incident or the contact is deleted. Every open, photo view and
refused link is audited, like the patrol request's officer link.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

import audit
from audit import Actor
from errors import NotFound
from i18n import _
from mail.links import external_url
from models import PoliceContact, Store
from models.store.logbook import Incident, IncidentPhoto
from security.tokens import InvalidToken, sign, unsign

TOKEN_PURPOSE = "casing-alert"
LINK_MAX_AGE = timedelta(days=14)


@dataclass(frozen=True)
class CasingLink:
    """What a verified token names. Bind `store_id` (only with tenants.access.bind_store_by_id) before use."""

    store_id: int
    incident_id: int
    contact_id: int


def casing_link(store_id: int, incident_id: int, contact_id: int) -> str:
    """The absolute URL of the report for one police contact."""
    token = sign(TOKEN_PURPOSE, {"s": store_id, "i": incident_id, "c": contact_id})
    return external_url("officer.casing_alert", token=token)


def read_casing_token(token: str) -> CasingLink:
    """Verify the signature, age and shape of a casing alert token; raises InvalidToken."""
    payload = unsign(TOKEN_PURPOSE, token, max_age_seconds=int(LINK_MAX_AGE.total_seconds()))
    values = [payload.get(key) for key in ("s", "i", "c")] if isinstance(payload, dict) else []
    if len(values) != 3 or not all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        raise InvalidToken(_("This link is not valid."))
    return CasingLink(*values)


def incident_for_link(session: Session, link: CasingLink) -> tuple[Incident, PoliceContact]:
    """The incident and the contact a verified link names, in the store the session is bound to."""
    incident = session.get(Incident, link.incident_id)
    contact = session.get(PoliceContact, link.contact_id)
    if incident is None or incident.deleted_at is not None or contact is None:
        raise NotFound(_("This report is no longer available: the store removed it."))
    return incident, contact


def photo_for_link(session: Session, incident: Incident, photo_id: int) -> IncidentPhoto:
    photo = session.get(IncidentPhoto, photo_id)
    if photo is None or photo.incident_id != incident.id:
        raise NotFound(_("No such photo."))
    return photo


def record_opened(
    session: Session, store: Store, incident: Incident, contact: PoliceContact, *, actor: Actor, photo_id=None
) -> None:
    """Audit an open of the report (or, with `photo_id`, a view of one of its photos)."""
    audit.record(
        session,
        "logbook.casing_alert.photo_viewed" if photo_id else "logbook.casing_alert.opened",
        actor=actor.holding_link(name=contact.officer_name, email=contact.email),
        association_id=store.association_id,
        store_id=store.id,
        target=f"incident:{incident.id}",
        details={"contact_id": contact.id, **({"photo_id": photo_id} if photo_id else {})},
    )


def record_refused(session: Session, *, actor: Actor, why: str, store_id: int | None = None) -> None:
    audit.record(
        session, "logbook.casing_alert.link_refused", actor=actor, outcome="denied", store_id=store_id,
        details={"why": why},
    )  # fmt: skip
