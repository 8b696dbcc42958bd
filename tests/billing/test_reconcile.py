"""`flask billing reconcile` repairs what missed webhooks left wrong; dunning email once per past-due spell."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from billing.reconcile import apply_subscription
from models import OutboundEmail, StoreSubscription
from models.base import utcnow
from tests.billing.conftest import add_customer, row_of, subscribe_in_stripe


def test_reconcile_repairs_a_missed_webhook(app, engines, billed):
    customer = add_customer(engines, billed)
    subscription = subscribe_in_stripe(billed, customer)  # Stripe has it; Loupe was never told
    assert row_of(engines, billed.store.id).status is None

    result = app.test_cli_runner().invoke(args=["billing", "reconcile", "--association", billed.association.slug])
    assert result.exit_code == 0, result.output
    assert f"store {billed.store.id}: - -> active" in result.output
    row = row_of(engines, billed.store.id)
    assert (row.status, row.stripe_subscription_id, row.plan_id) == ("active", subscription["id"], billed.plan_id)

    billed.stripe.client.v1.subscriptions.cancel(subscription["id"])
    result = app.test_cli_runner().invoke(args=["billing", "reconcile", "--association", billed.association.slug])
    assert "active -> canceled" in result.output
    assert row_of(engines, billed.store.id).status == "canceled"

    # Running it again repairs nothing more.
    result = app.test_cli_runner().invoke(args=["billing", "reconcile", "--association", billed.association.slug])
    assert result.exit_code == 0 and "repaired 0" in result.output


def _snapshot(row: StoreSubscription, status: str) -> dict:
    return {
        "id": "sub_snapshot",
        "customer": row.stripe_customer_id,
        "status": status,
        "current_period_end": 1_900_000_000,
        "cancel_at_period_end": False,
        "items": {"data": [{"plan": {"id": "price_unknown"}}]},
    }


def test_past_due_sends_one_dunning_email_per_spell(app, engines, billed):
    add_customer(engines, billed)

    def apply(status):
        with app.test_request_context("/"), Session(engines.app, expire_on_commit=False) as session, session.begin():
            row = session.scalar(sa.select(StoreSubscription).where(StoreSubscription.store_id == billed.store.id))
            return apply_subscription(session, row, _snapshot(row, status), now=utcnow())

    def dunning_count():
        with Session(engines.owner) as session:
            return session.scalar(
                sa.select(sa.func.count()).where(
                    OutboundEmail.kind == "dues_dunning", OutboundEmail.to_address == billed.owner.email
                )
            )

    try:
        assert apply("active").emails == []
        first = apply("past_due")
        assert [e.to_address for e in first.emails] == [billed.owner.email]
        assert billed.store.name in first.emails[0].body_text and "/billing/" in first.emails[0].body_text
        assert apply("past_due").emails == []  # the same spell: no second email
        assert dunning_count() == 1
        apply("active")
        assert len(apply("past_due").emails) == 1  # a new spell
        assert dunning_count() == 2
    finally:
        # Leave the shared outbox as we found it (other tests deliver every pending row).
        with Session(engines.owner) as session, session.begin():
            session.execute(sa.delete(OutboundEmail).where(OutboundEmail.kind == "dues_dunning"))
