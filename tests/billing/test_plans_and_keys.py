"""Dues plans pushed to Stripe; Stripe keys encrypted at rest."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from sqlalchemy.orm import Session

from billing.crypto import SecretBox, SecretUnreadable
from billing.plans import create_plan, format_amount, sync_plans
from billing.stripe_client import stripe_for
from errors import DomainError
from models import DuesPlan, StripeAccount
from tests.support.localstripe_server import API_KEY


def test_keys_are_stored_encrypted(app, engines, billed):
    with engines.owner.connect() as conn:
        stored = conn.execute(
            sa.select(StripeAccount.secret_key_encrypted, StripeAccount.webhook_secret_encrypted).where(
                StripeAccount.association_id == billed.association.id
            )
        ).one()
    assert API_KEY not in stored[0] and billed.webhook_secret not in stored[1]
    box = SecretBox.from_config(app.config)
    assert box.open(stored[0]) == API_KEY and box.open(stored[1]) == billed.webhook_secret
    with pytest.raises(SecretUnreadable):
        SecretBox([Fernet.generate_key()]).open(stored[0])


def test_key_rotation_keeps_old_secrets_readable():
    old, new = Fernet.generate_key(), Fernet.generate_key()
    token = SecretBox([old]).seal("sk_test_rotate")
    both = SecretBox([new, old])
    assert both.open(token) == "sk_test_rotate"
    assert SecretBox([new]).open(both.reseal(token)) == "sk_test_rotate"
    configured = SecretBox.from_config({"BILLING_ENCRYPTION_KEYS": f"{new.decode()}, {old.decode()}"})
    assert configured.open(token) == "sk_test_rotate"


def test_plans_are_validated(engines, make_world):
    world = make_world()
    with Session(engines.app) as session:
        for kwargs, message in [
            ({"name": "", "interval": "year", "amount": 100, "currency": "eur"}, "name"),
            ({"name": "A", "interval": "week", "amount": 100, "currency": "eur"}, "yearly or monthly"),
            ({"name": "A", "interval": "year", "amount": 0, "currency": "eur"}, "positive"),
            ({"name": "A", "interval": "year", "amount": 100, "currency": "euro"}, "three-letter"),
        ]:
            with pytest.raises(DomainError, match=message):
                create_plan(session, world.association.id, **kwargs)
        create_plan(session, world.association.id, name="A", interval="year", amount=100, currency="EUR")
        with pytest.raises(DomainError, match="already a plan"):
            create_plan(session, world.association.id, name="A", interval="month", amount=100, currency="eur")
        session.rollback()
    assert format_amount(12000, "eur") == "120.00 EUR" and format_amount(5000, "jpy") == "5,000 JPY"


def test_sync_plans_creates_replaces_and_archives_prices(app, engines, billed, stripe_api):
    prices = stripe_api.gaps.prices
    first = prices[billed.price_id]
    assert (first["unit_amount"], first["currency"], first["recurring"]["interval"]) == (12000, "eur", "year")

    result = app.test_cli_runner().invoke(args=["billing", "sync-plans", "--association", billed.association.slug])
    assert result.exit_code == 0 and "unchanged" in result.output

    with Session(engines.app) as session, session.begin():
        session.get(DuesPlan, billed.plan_id).amount = 15000
        results = sync_plans(session, stripe_for(session, billed.association.id, app.config))
    assert [r.action for r in results] == ["replaced"]
    with Session(engines.app) as session:
        plan = session.get(DuesPlan, billed.plan_id)
    assert plan.stripe_price_id != billed.price_id
    assert prices[plan.stripe_price_id]["unit_amount"] == 15000 and prices[billed.price_id]["active"] is False

    with Session(engines.app) as session, session.begin():
        session.get(DuesPlan, billed.plan_id).active = False
        results = sync_plans(session, stripe_for(session, billed.association.id, app.config))
    assert [r.action for r in results] == ["archived"] and prices[plan.stripe_price_id]["active"] is False


def test_cli_sets_keys_encrypted(app, engines, make_world):
    world = make_world()
    result = app.test_cli_runner().invoke(
        args=[
            "billing",
            "set-keys",
            "--association",
            world.association.slug,
            "--secret-key",
            "sk_test_cli",
            "--webhook-secret",
            "whsec_cli",
        ]
    )
    assert result.exit_code == 0, result.output
    assert f"/webhooks/stripe/{world.association.slug}" in result.output
    with Session(engines.app) as session:
        account = stripe_for(session, world.association.id, app.config)
        stored = session.scalar(sa.select(StripeAccount).where(StripeAccount.association_id == world.association.id))
    assert account.webhook_secret == "whsec_cli" and "sk_test_cli" not in stored.secret_key_encrypted
    bad = app.test_cli_runner().invoke(
        args=[
            "billing",
            "set-keys",
            "--association",
            world.association.slug,
            "--secret-key",
            "pk_x",
            "--webhook-secret",
            "whsec_x",
        ]
    )
    assert bad.exit_code != 0 and "sk_" in bad.output
