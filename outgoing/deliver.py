"""Sending one delivery (the job `webhooks.deliver`): re-check the target, sign, POST, record.

Each attempt is recorded in its own transaction (status, attempts, last status or error). A failed attempt
raises, so the job queue retries it with its backoff; the last allowed attempt marks the delivery `failed` and
stops. A delivered row is never sent again (a job that runs twice finds it delivered).
"""

from __future__ import annotations

import json
import time

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from models import WebhookDelivery, WebhookSubscription
from models.base import utcnow
from outgoing import signing
from outgoing.targets import TargetRefused, check_url, post
from security.secretbox import webhook_box


class DeliveryFailed(RuntimeError):
    """An attempt that did not reach a 2xx answer (the job queue retries it)."""


def deliver(engine: Engine, delivery_id: int, *, max_attempts: int, allow_private: bool = False) -> str:
    """One attempt at delivery `delivery_id`; returns its status, raises DeliveryFailed to be retried."""
    with Session(engine, expire_on_commit=False) as session, session.begin():
        delivery = session.scalar(
            sa.select(WebhookDelivery).where(WebhookDelivery.id == delivery_id).with_for_update(skip_locked=True)
        )
        if delivery is None or delivery.status in ("delivered", "failed"):
            return delivery.status if delivery else "gone"
        subscription = session.get(WebhookSubscription, delivery.subscription_id)
        if subscription is None or subscription.deleted_at is not None:
            delivery.status, delivery.last_error = "failed", "The webhook was deleted."
            return delivery.status
        body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()
        delivery.attempts += 1
        error, status_code = "", None
        try:
            target = check_url(subscription.url, allow_private=allow_private)  # again: DNS may have changed
            headers = {
                "Content-Type": "application/json",
                "User-Agent": "Loupe-Webhooks/1",
                signing.HEADER: signing.signature(
                    webhook_box().open(subscription.secret_sealed), int(time.time()), body
                ),
                "Loupe-Event": delivery.event,
                "Loupe-Delivery": str(delivery.id),
            }
            status_code = post(target, body, headers)
            if not 200 <= status_code < 300:
                redirect = " (redirects are not followed)" if 300 <= status_code < 400 else ""
                error = f"The endpoint answered {status_code}{redirect}."
        except TargetRefused as exc:
            error = str(exc)
        except OSError as exc:
            error = f"Could not reach the endpoint: {type(exc).__name__}."
        delivery.last_status_code = status_code
        delivery.last_error = error[:500]
        if not error:
            delivery.status, delivery.delivered_at = "delivered", utcnow()
        elif delivery.attempts >= max_attempts:
            delivery.status = "failed"
        else:
            delivery.status = "retrying"
        status = delivery.status
    if status == "retrying":
        raise DeliveryFailed(f"webhook delivery {delivery_id}: {error}")
    return status
