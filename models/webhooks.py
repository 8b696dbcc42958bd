"""Outgoing webhooks (issue 20 part 5): an association's subscriptions of a URL to events, and every delivery.

The subscription's signing secret is sealed at rest (`security.secretbox`). A delivery row is written in the
transaction of the event it reports (unique per subscription and event key, so an event reported twice is sent
once) and sent by a job; its status, attempts and last error are the delivery log the admin portal shows.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from models.base import SharedBase

WEBHOOK_EVENTS: dict[str, str] = {
    "bulletin.published": "A bulletin is published in the regional feed",
    "pattern.detected": "A casing pattern across stores is detected (a draft for moderation)",
    "urgent_alert.sent": "An urgent alert is sent",
}
DELIVERY_STATUSES = ("pending", "retrying", "delivered", "failed")


class WebhookSubscription(SharedBase):
    __tablename__ = "webhook_subscriptions"
    __table_args__ = (sa.CheckConstraint("cardinality(events) > 0", name="has_events"),)

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    association_id: Mapped[int] = mapped_column(sa.ForeignKey("associations.id", ondelete="CASCADE"), index=True)
    # A police liaison's agency subscribes through the liaison's membership, for the liaison's region only; when
    # the membership ends, its subscriptions go with it. NULL: the association's own (admin) subscription.
    liaison_membership_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("memberships.id", ondelete="CASCADE"), index=True
    )
    region_id: Mapped[int | None] = mapped_column(sa.ForeignKey("regions.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(sa.String(2000))
    events: Mapped[list[str]] = mapped_column(ARRAY(sa.String(40)))
    # The strictest TLP mark this endpoint may receive (GREEN, AMBER or AMBER+STRICT): stricter bulletins are not sent.
    max_tlp: Mapped[str] = mapped_column(sa.String(20), server_default="GREEN")
    secret_sealed: Mapped[str] = mapped_column(sa.Text)
    created_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())
    deleted_at: Mapped[datetime | None]


class WebhookDelivery(SharedBase):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        sa.UniqueConstraint("subscription_id", "event_key"),
        sa.CheckConstraint("status IN (" + ", ".join(f"'{s}'" for s in DELIVERY_STATUSES) + ")", name="status_known"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        sa.ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"), index=True
    )
    event: Mapped[str] = mapped_column(sa.String(40))
    event_key: Mapped[str] = mapped_column(sa.String(100))
    payload: Mapped[dict] = mapped_column(JSONB)
    status: Mapped[str] = mapped_column(sa.String(12), server_default="pending")
    attempts: Mapped[int] = mapped_column(sa.Integer, server_default="0")
    last_status_code: Mapped[int | None] = mapped_column(sa.Integer)
    last_error: Mapped[str] = mapped_column(sa.String(500), server_default="")
    created_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())
    delivered_at: Mapped[datetime | None]
