"""Reading a person's notifications: the header's count, the inbox, marking read, their choices per event.

A person's inbox is their shared-schema notifications plus, inside a store, that store's notifications for them
(read through the session the store guard bound to the store's schema: store data only through the store chosen
from the person's membership). The header's count is one query: two scalar subqueries, each on an index
(`ix_notifications_user_id`), added in the database.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from database.bundle import Query, fetch_one
from errors import DomainError, NotFound
from i18n import _
from models.accounts import MANAGER_ROLES, OWNER_ROLES, Role
from models.base import utcnow
from models.notifications import Notification, NotificationPreference
from models.store.notifications import StoreNotification
from notifications.events import EVENTS, Event

PAGE = 50


class PreferenceError(DomainError):
    """Notification choices that cannot be saved as asked."""


def _unread(model) -> sa.ScalarSelect:
    return (
        sa.select(sa.func.count())
        .select_from(model)
        .where(model.user_id == sa.bindparam("user_id"), model.in_app.is_(True), model.read_at.is_(None))
        .scalar_subquery()
    )


@functools.cache
def _unread_query(in_store: bool) -> sa.Select:
    # Built once per variant: every signed-in page's header shows the count.
    total = _unread(Notification)
    if in_store:
        total = total + _unread(StoreNotification)
    return sa.select(total.label("unread"))


def unread_count(session: Session, user_id: int, *, in_store: bool) -> int:
    """Unread notifications shown to the person: shared ones, plus the bound store's when `in_store`. One query."""
    return unread_from(fetch_one(session, unread_query(user_id, in_store=in_store)))


def unread_query(user_id: int, *, in_store: bool) -> Query:
    """`unread_count` as a query of a bundle (`database.bundle`); `unread_from` reads its rows."""
    return Query(_unread_query(in_store), {"user_id": user_id})


def unread_from(rows: list[tuple]) -> int:
    """The count from `unread_query`'s rows."""
    return int(rows[0][0] or 0) if rows else 0


@dataclass(frozen=True)
class Item:
    id: int
    scope: str  # "store" | "shared"
    title: str
    body: str
    created_at: datetime
    read: bool


def _items(session: Session, model, user_id: int, scope: str) -> list[Item]:
    rows = session.scalars(
        sa.select(model)
        .where(model.user_id == user_id, model.in_app.is_(True))
        .order_by(model.created_at.desc(), model.id.desc())
        .limit(PAGE)
    )
    return [Item(r.id, scope, r.title, r.body, r.created_at, r.read_at is not None) for r in rows]


def inbox(session: Session, user_id: int, *, in_store: bool) -> list[Item]:
    """The latest notifications, newest first (the bound store's and the shared ones when `in_store`)."""
    items = _items(session, Notification, user_id, "shared")
    if in_store:
        items += _items(session, StoreNotification, user_id, "store")
    return sorted(items, key=lambda i: i.created_at, reverse=True)[:PAGE]


def open_notification(session: Session, user_id: int, notification_id: int, *, scope: str) -> str:
    """Mark one of the person's notifications read; returns its link (a path inside Loupe, or "")."""
    model = StoreNotification if scope == "store" else Notification
    row = session.scalar(sa.select(model).where(model.id == notification_id, model.user_id == user_id))
    if row is None:
        raise NotFound(_("No such notification."))
    row.read_at = row.read_at or utcnow()
    session.flush()
    link = row.link or ""
    # Only a path of this site: a stored link never sends anyone elsewhere.
    return link if link.startswith("/") and not link.startswith("//") else ""


def mark_all_read(session: Session, user_id: int, *, in_store: bool) -> None:
    now = utcnow()
    for model in (Notification, StoreNotification) if in_store else (Notification,):
        session.execute(sa.update(model).where(model.user_id == user_id, model.read_at.is_(None)).values(read_at=now))
    session.flush()


# --- choices per event ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    event: Event
    in_app: bool
    email: bool


def audience_of(roles: set[str]) -> set[str]:
    """Which events' audiences a person with these roles belongs to."""
    who = {"any"}
    if roles & {r.value for r in MANAGER_ROLES}:
        who.add("store")
    if roles & {r.value for r in OWNER_ROLES}:
        who.add("owner")
    if Role.POLICE_LIAISON.value in roles:
        who.add("liaison")
    return who


def choices_for(session: Session, user_id: int, roles: set[str]) -> list[Choice]:
    """The events this person can be told about, with their choice (or the default)."""
    saved = {
        p.event: p
        for p in session.scalars(sa.select(NotificationPreference).where(NotificationPreference.user_id == user_id))
    }
    who = audience_of(roles)
    out = []
    for event in EVENTS.values():
        if event.who not in who:
            continue
        pref = saved.get(event.key)
        in_app = pref.in_app if pref else True
        email = (pref.email if pref else event.email) and not event.email_elsewhere
        out.append(Choice(event, in_app, email))
    return out


def save_choices(session: Session, user_id: int, roles: set[str], chosen: dict[str, tuple[bool, bool]]) -> None:
    """Save (in the inbox, by email) for each event offered to this person; unknown events are refused."""
    offered = {c.event.key for c in choices_for(session, user_id, roles)}
    unknown = set(chosen) - offered
    if unknown:
        raise PreferenceError(_("Choose among the notifications listed."))
    for key in offered:
        in_app, email = chosen.get(key, (False, False))
        pref = session.get(NotificationPreference, (user_id, key))
        if pref is None:
            pref = NotificationPreference(user_id=user_id, event=key)
            session.add(pref)
        pref.in_app, pref.email = in_app, email and not EVENTS[key].email_elsewhere
    session.flush()
