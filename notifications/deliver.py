"""Writing one notification for one person, once: the inbox row in its home, the email through the outbox.

The row is inserted with ON CONFLICT DO NOTHING on (key, user_id): when the job that writes it runs again (a retry
after a crash, a second event of the same kind), nothing new is written and no second email is queued. A person who
turned both the inbox and email off for the event gets nothing; one who chose email only still gets a row (not
shown) so the email is never sent twice. Emails inside the person's quiet hours wait for their end, as urgent
alerts and digests do.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from alerts.urgent import quiet_until
from i18n import _l, language_or_default
from mail.links import external_url
from mail.outbox import queue_email
from mail.render import render_email
from models import User
from models.alerts import AlertPreference
from models.base import utcnow
from models.notifications import Notification, NotificationPreference
from models.store.notifications import StoreNotification
from notifications.events import get


@dataclass(frozen=True)
class Message:
    """What a notification says. `title` and `email_body` must be safe where they are kept: a store-home event's
    email goes through the shared outbox, so it says what happened in general words and links to the inbox."""

    event: str
    key: str
    title: str
    body: str = ""
    link: str = ""
    email_body: str | None = None  # None: the same as `body`


def choices(session: Session, user_id: int, event: str) -> tuple[bool, bool]:
    """(in the inbox, by email) for this person and event: their choice, else the event's default."""
    pref = session.get(NotificationPreference, (user_id, event))
    kind = get(event)
    if pref is None:
        return True, kind.email and not kind.email_elsewhere
    return pref.in_app, pref.email and not kind.email_elsewhere


def send(session: Session, user: User, message: Message, *, zone: ZoneInfo, inbox_url: str) -> bool:
    """Notify `user` once. The session is bound to the store's schema for a store-home event. True when written
    now (False: already written before, or the person wants neither)."""
    in_app, by_email = choices(session, user.id, message.event)
    if not (in_app or by_email):
        return False
    model = StoreNotification if get(message.event).home == "store" else Notification
    inserted = session.execute(
        insert(model)
        .values(
            user_id=user.id,
            event=message.event,
            key=message.key[:200],
            title=message.title[:200],
            body=message.body,
            link=message.link[:500],
            in_app=in_app,
        )
        .on_conflict_do_nothing(index_elements=["key", "user_id"])
        .returning(model.id)
    ).first()
    if inserted is None or not by_email:
        return inserted is not None
    email = render_email(
        "notification",
        _l("Loupe: %(title)s", title=message.title),
        title=message.title,
        body=_email_body(message),
        link_url=inbox_url,
        settings_url=external_url("notifications.settings"),
        language=language_or_default(user.language),
    )
    row = queue_email(session, to=user.email, email=email, kind="notification")
    pref = session.get(AlertPreference, user.id)
    if pref is not None:
        wait = quiet_until(utcnow(), pref.quiet_start, pref.quiet_end, zone)
        if wait is not None:
            row.next_attempt_at = wait
    return True


def _email_body(message: Message) -> str:
    if message.email_body is not None:
        return message.email_body
    if get(message.event).home == "store":
        # The outbox is in the shared schema: a store's own records (an officer's note, a liaison's words) stay in
        # its schema and are read in the store's inbox.
        return "Open it in Loupe to read the details."
    return message.body


def active_users(session: Session, user_ids: list[int]) -> list[User]:
    if not user_ids:
        return []
    return list(
        session.scalars(sa.select(User).where(User.id.in_(user_ids), User.is_active.is_(True)).order_by(User.id))
    )
