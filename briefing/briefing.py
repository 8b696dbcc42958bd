"""Security briefing domain functions. The Session passed in is already bound to the store's schema.

Who may see it: owners and managers only. Staff follow the opening/closing procedures in person, but the profile
as a whole (who holds the alarm code, camera blind spots, time-lock delays) is a robbery crew's shopping list, and
a staff account is the most likely to be phished or shared. Every read (screen or print) is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

import audit
from audit import Actor
from errors import DomainError, NotFound
from i18n import _
from models import Keyholder, PoliceContact, SafeOrVault, SecurityBriefing, Store

BRIEFING_FIELDS = (
    "alarm_system",
    "alarm_company",
    "alarm_company_phone",
    "alarm_notes",
    "cameras",
    "camera_coverage",
    "camera_blind_spots",
    "opening_procedure",
    "closing_procedure",
    "panic_buttons",
    "layout_notes",
    "police_design_advice",
)
KEYHOLDER_FIELDS = ("name", "role", "phone")
SAFE_FIELDS = ("kind", "safe_type", "rating", "location")


@dataclass(frozen=True)
class Briefing:
    """The whole briefing as shown and printed."""

    profile: SecurityBriefing
    keyholders: list[Keyholder]
    safes: list[SafeOrVault]

    @property
    def is_empty(self) -> bool:
        filled = any(getattr(self.profile, f) for f in BRIEFING_FIELDS)
        return not (filled or self.keyholders or self.safes)


def get_profile(session: Session) -> SecurityBriefing:
    """The store's briefing row, created empty on first use (concurrent first uses both get the one row)."""
    profile = session.get(SecurityBriefing, 1)
    if profile is None:
        session.execute(insert(SecurityBriefing).values(id=1).on_conflict_do_nothing(index_elements=["id"]))
        profile = session.get(SecurityBriefing, 1)
    return profile


def load_briefing(session: Session) -> Briefing:
    return Briefing(
        profile=get_profile(session),
        keyholders=list(session.scalars(sa.select(Keyholder).order_by(Keyholder.name, Keyholder.id))),
        safes=list(session.scalars(sa.select(SafeOrVault).order_by(SafeOrVault.kind, SafeOrVault.id))),
    )


def record_access(
    session: Session, store: Store, actor: Actor, action: str, *, page: str, recipient: str | None = None
) -> None:
    """Audit one read of the briefing ("briefing.view" or "briefing.print") in the request's transaction."""
    if action not in ("briefing.view", "briefing.print"):
        raise ValueError(f"not a briefing access: {action!r}")
    details: dict[str, Any] = {"page": page}
    if recipient:
        details["recipient"] = recipient
    audit.record(
        session,
        action,
        actor=actor,
        association_id=store.association_id,
        store_id=store.id,
        target="security_briefing",
        details=details,
    )


def _record_change(session: Session, store: Store, actor: Actor, section: str, change: str, row_id: int) -> None:
    # Only which row changed: the briefing's contents never go into the audit log.
    audit.record(
        session,
        "briefing.update",
        actor=actor,
        association_id=store.association_id,
        store_id=store.id,
        target=f"{section}:{row_id}",
        details={"section": section, "change": change},
    )


def _text(value: Any) -> str:
    return (value or "").strip()


def save_profile(session: Session, store: Store, actor: Actor, data: dict[str, Any]) -> SecurityBriefing:
    profile = get_profile(session)
    for field in BRIEFING_FIELDS:
        if field in data:
            setattr(profile, field, _text(data[field]))
    if "last_reviewed_on" in data:
        profile.last_reviewed_on = data["last_reviewed_on"]
    session.flush()
    _record_change(session, store, actor, "profile", "edit", profile.id)
    return profile


def get_keyholder(session: Session, keyholder_id: int) -> Keyholder:
    keyholder = session.get(Keyholder, keyholder_id)
    if keyholder is None:
        raise NotFound(_("No such keyholder in this store."))
    return keyholder


def save_keyholder(
    session: Session, store: Store, actor: Actor, data: dict[str, Any], keyholder: Keyholder | None = None
) -> Keyholder:
    change = "edit" if keyholder else "add"
    keyholder = keyholder or Keyholder()
    for field in KEYHOLDER_FIELDS:
        if field in data:
            setattr(keyholder, field, _text(data[field]))
    keyholder.holds_alarm_code = bool(data.get("holds_alarm_code"))
    session.add(keyholder)
    session.flush()
    _record_change(session, store, actor, "keyholder", change, keyholder.id)
    return keyholder


def delete_keyholder(session: Session, store: Store, actor: Actor, keyholder_id: int) -> None:
    keyholder = get_keyholder(session, keyholder_id)
    session.delete(keyholder)
    session.flush()
    _record_change(session, store, actor, "keyholder", "delete", keyholder_id)


def get_safe(session: Session, safe_id: int) -> SafeOrVault:
    safe = session.get(SafeOrVault, safe_id)
    if safe is None:
        raise NotFound(_("No such safe or vault in this store."))
    return safe


class TimeLockDelayInvalid(DomainError):
    """A time-lock delay without a time lock, or a time lock without a sensible delay."""


def save_safe(
    session: Session, store: Store, actor: Actor, data: dict[str, Any], safe: SafeOrVault | None = None
) -> SafeOrVault:
    change = "edit" if safe else "add"
    has_time_lock = bool(data.get("has_time_lock"))
    delay = data.get("time_lock_delay_minutes")
    if not has_time_lock and delay:
        raise TimeLockDelayInvalid(_("A delay needs a time lock: tick “Time lock” or clear the delay."))
    if delay is not None and not 0 <= delay <= 24 * 60:
        raise TimeLockDelayInvalid(_("A time-lock delay is between 0 and 1440 minutes."))
    safe = safe or SafeOrVault()
    for field in SAFE_FIELDS:
        if field in data:
            setattr(safe, field, _text(data[field]))
    safe.has_time_lock = has_time_lock
    safe.time_lock_delay_minutes = delay if has_time_lock else None
    session.add(safe)
    session.flush()
    _record_change(session, store, actor, "safe", change, safe.id)
    return safe


def delete_safe(session: Session, store: Store, actor: Actor, safe_id: int) -> None:
    safe = get_safe(session, safe_id)
    session.delete(safe)
    session.flush()
    _record_change(session, store, actor, "safe", "delete", safe_id)


def find_recipient(session: Session, contact_id: int | None) -> PoliceContact | None:
    """The police contact a printout is prepared for (one of this store's contacts), or None."""
    if contact_id is None:
        return None
    return session.get(PoliceContact, contact_id)


def list_recipients(session: Session) -> list[PoliceContact]:
    return list(session.scalars(sa.select(PoliceContact).order_by(PoliceContact.officer_name)))
