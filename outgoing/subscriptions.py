"""An association's webhook subscriptions: subscribe (the URL checked, the secret made and shown once), delete,
send a test, and the delivery log. Every change is audited."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

import audit
from audit import Actor
from errors import DomainError, NotFound
from i18n import _
from models import Association, Membership, WebhookDelivery, WebhookSubscription
from models.base import utcnow
from models.webhooks import WEBHOOK_EVENTS
from outgoing import events, signing
from outgoing.targets import check_url
from security.secretbox import webhook_box

MAX_SUBSCRIPTIONS = 10
LOG_LENGTH = 50


class WebhookError(DomainError):
    """A subscription that cannot be made as asked."""


@dataclass(frozen=True)
class NewSubscription:
    row: WebhookSubscription
    secret: str  # shown once


def _owned(association: Association, liaison: Membership | None):
    """Whose subscriptions: the association's own (admins), or one liaison membership's (its agency)."""
    owner = WebhookSubscription.liaison_membership_id
    mine = owner.is_(None) if liaison is None else owner == liaison.id
    return (WebhookSubscription.association_id == association.id, mine)


def subscribe(
    session: Session,
    association: Association,
    *,
    url: str,
    chosen_events: list[str],
    max_tlp: str,
    actor: Actor,
    allow_private: bool = False,
    liaison: Membership | None = None,
) -> NewSubscription:
    """Subscribe `url` for the association (admins) or, with `liaison`, for that liaison's agency: their region's
    events only, and never above TLP:AMBER (AMBER+STRICT stays within the association)."""
    chosen = [e for e in WEBHOOK_EVENTS if e in set(chosen_events or ())]
    if not chosen or len(chosen) != len(set(chosen_events)):
        raise WebhookError(_("Choose at least one of the events listed."))
    allowed = events.LIAISON_TLPS if liaison is not None else events.TLP_ORDER
    if max_tlp not in allowed:
        raise WebhookError(_("Choose the strictest TLP mark this endpoint may receive, from the list."))
    if liaison is not None and liaison.region_id is None:
        raise WebhookError(_("Your liaison membership has no region yet: ask the association to set it."))
    live = session.scalar(
        sa.select(sa.func.count())
        .select_from(WebhookSubscription)
        .where(*_owned(association, liaison), WebhookSubscription.deleted_at.is_(None))
    )
    if live >= MAX_SUBSCRIPTIONS:
        raise WebhookError(_("You can have %(max)d webhooks at most: delete one first.", max=MAX_SUBSCRIPTIONS))
    check_url(url, allow_private=allow_private)
    secret = signing.new_secret()
    row = WebhookSubscription(
        association_id=association.id,
        url=url.strip(),
        events=chosen,
        max_tlp=max_tlp,
        secret_sealed=webhook_box().seal(secret),
        created_by_user_id=actor.user_id,
        liaison_membership_id=liaison.id if liaison is not None else None,
        region_id=liaison.region_id if liaison is not None else None,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        "webhook.subscribed",
        actor=actor,
        association_id=association.id,
        target=f"webhook:{row.id}",
        details={"url": row.url, "events": ",".join(chosen), "max_tlp": max_tlp},
    )
    return NewSubscription(row, secret)


def get(
    session: Session, association: Association, subscription_id: int, *, liaison: Membership | None = None
) -> WebhookSubscription:
    row = session.scalar(
        sa.select(WebhookSubscription).where(
            WebhookSubscription.id == subscription_id,
            *_owned(association, liaison),
            WebhookSubscription.deleted_at.is_(None),
        )
    )
    if row is None:
        raise NotFound(_("No such webhook."))
    return row


def listing(
    session: Session, association: Association, *, liaison: Membership | None = None
) -> list[WebhookSubscription]:
    return list(
        session.scalars(
            sa.select(WebhookSubscription)
            .where(*_owned(association, liaison), WebhookSubscription.deleted_at.is_(None))
            .order_by(WebhookSubscription.id)
        )
    )


def delivery_log(session: Session, subscription: WebhookSubscription) -> list[WebhookDelivery]:
    return list(
        session.scalars(
            sa.select(WebhookDelivery)
            .where(WebhookDelivery.subscription_id == subscription.id)
            .order_by(WebhookDelivery.id.desc())
            .limit(LOG_LENGTH)
        )
    )


def delete(
    session: Session, association: Association, subscription_id: int, *, actor: Actor, liaison: Membership | None = None
) -> None:
    row = get(session, association, subscription_id, liaison=liaison)
    row.deleted_at = utcnow()
    audit.record(session, "webhook.deleted", actor=actor, association_id=association.id, target=f"webhook:{row.id}")


def send_test(
    session: Session, association: Association, subscription_id: int, *, actor: Actor, liaison: Membership | None = None
) -> None:
    """Queue a `ping` delivery (signed like any other) to check the endpoint."""
    row = get(session, association, subscription_id, liaison=liaison)
    key = f"ping:{utcnow().timestamp():.6f}"
    events.queue_delivery(session, row, "ping", key, {"message": "A test delivery from Loupe."})
    audit.record(session, "webhook.test_sent", actor=actor, association_id=association.id, target=f"webhook:{row.id}")
