"""The admin portal's billing section: Stripe keys (encrypted, never shown back), dues plans (create, archive,
sync), dues collected from Stripe invoices, all audited, and nothing of another association, whatever ids."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from billing import dues as dues_services
from billing.crypto import SecretBox
from models import AuditEntry, DuesPlan, Role, StripeAccount
from tests.admin.conftest import audit_actions, enrol, sign_in_with_code, text_of
from tests.billing.conftest import add_customer, subscribe_in_stripe
from tests.fixtures.outbound import expect_outbound
from tests.fixtures.web import csrf_token


@pytest.fixture(autouse=True)
def _fresh_figures():
    """The dashboard keeps the figures a few minutes; each test starts without any."""
    dues_services._cache.clear()
    yield
    dues_services._cache.clear()


def admin_client(app, engines, make_user, association):
    admin = make_user(association=association, role=Role.ASSOCIATION_ADMIN)
    client = app.test_client()
    sign_in_with_code(client, engines, admin, enrol(engines, admin))
    return client


def post(client, url: str, form_url: str, data: dict):
    token = csrf_token(client.get(form_url).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token})


def test_keys_are_saved_encrypted_and_never_shown_back(app, engines, make_world, make_user, stripe_api):
    world = make_world()
    client = admin_client(app, engines, make_user, world.association)
    base = f"/a/{world.association.slug}/billing/"
    page = client.get(base)
    assert page.status_code == 200 and "Not connected" in text_of(page)
    assert f"/webhooks/stripe/{world.association.slug}" in page.get_data(as_text=True)

    # Refused: the typed secrets are not sent back, the message is at the field, nothing is stored.
    refused = post(client, base + "keys", base, {"secret_key": "pk_live_wrong1234", "webhook_secret": "whsec_abc"})
    assert refused.status_code == 400 and "should start with sk_" in text_of(refused)
    assert "pk_live_wrong1234" not in refused.get_data(as_text=True)

    secret, webhook = "sk_test_TopSecretValue4242", "whsec_SigningSecretValue99"
    response = post(
        client,
        base + "keys",
        base,
        {"secret_key": secret, "webhook_secret": webhook, "publishable_key": "pk_test_x1234"},
    )
    assert response.status_code == 303
    body = client.get(base).get_data(as_text=True)
    assert "ends with …4242" in body and "ends with …1234" in body
    assert secret not in body and webhook not in body and "TopSecret" not in body and "SigningSecret" not in body
    with engines.owner.connect() as conn:
        stored = conn.execute(
            sa.select(StripeAccount.secret_key_encrypted, StripeAccount.webhook_secret_encrypted).where(
                StripeAccount.association_id == world.association.id
            )
        ).one()
    assert secret not in stored[0] and webhook not in stored[1]
    box = SecretBox.from_config(app.config)
    assert (box.open(stored[0]), box.open(stored[1])) == (secret, webhook)

    response = post(client, base + "keys", base, {"secret_key": "sk_test_other0007", "webhook_secret": webhook})
    assert response.status_code == 303 and "ends with …0007" in client.get(base).get_data(as_text=True)
    assert audit_actions(engines, world.association.id)[-2:] == ["billing.keys_set", "billing.keys_replaced"]
    with engines.owner.connect() as conn:
        details = conn.scalars(
            sa.select(AuditEntry.details).where(AuditEntry.action.like("billing.keys_%")).order_by(AuditEntry.id.desc())
        ).first()
    assert "sk_test_other0007" not in str(details) and details["secret_key_ends"] == "0007"


def test_a_secret_key_stripe_refuses_is_not_stored(app, engines, make_world, make_user, stripe_api):
    """Keys are tried against Stripe (localstripe here) when saved: a refused key is a 400 with the reason in words
    next to the secret key field, and nothing is stored or replaced."""
    world = make_world()
    client = admin_client(app, engines, make_user, world.association)
    base = f"/a/{world.association.slug}/billing/"
    webhook = "whsec_SigningSecretValue99"

    def stored():
        with engines.owner.connect() as conn:
            return conn.execute(
                sa.select(StripeAccount.secret_key_encrypted).where(
                    StripeAccount.association_id == world.association.id
                )
            ).scalar()

    before = len(stripe_api.gaps.requests)
    # localstripe refuses a key of five characters or fewer (as Stripe refuses an unknown key: 401).
    refused = post(client, base + "keys", base, {"secret_key": "sk_ab", "webhook_secret": webhook})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Stripe does not accept this secret key" in text_of(refused)
    # The message is at the secret key field (its error paragraph follows the field's input).
    assert re.search(r'name="secret_key".*?Stripe does not accept this secret key', page, re.S)
    assert "sk_ab" not in page  # what was typed is never sent back
    assert stored() is None
    assert audit_actions(engines, world.association.id)[-1:] != ["billing.keys_set"]
    assert len(stripe_api.gaps.requests) > before  # Stripe was asked

    good = post(client, base + "keys", base, {"secret_key": "sk_test_Good0042", "webhook_secret": webhook})
    assert good.status_code == 303
    first = stored()
    assert SecretBox.from_config(app.config).open(first) == "sk_test_Good0042"
    # A refused replacement leaves the saved keys as they were.
    again = post(client, base + "keys", base, {"secret_key": "sk_xy", "webhook_secret": webhook})
    assert again.status_code == 400 and stored() == first


def test_plans_are_created_archived_and_synced_to_stripe(app, engines, billed, make_user, stripe_api):
    client = admin_client(app, engines, make_user, billed.association)
    base = f"/a/{billed.association.slug}/billing/"
    body = text_of(client.get(base))
    assert "Annual membership" in body and "120.00 EUR" in body

    for data, message in [
        ({"name": "Monthly", "interval": "month", "amount": "ten", "currency": "eur"}, "as a number"),
        ({"name": "Monthly", "interval": "month", "amount": "10.505", "currency": "eur"}, "at most two decimals"),
        ({"name": "Monthly", "interval": "month", "amount": "-3", "currency": "eur"}, "more than zero"),
        ({"name": "Monthly", "interval": "month", "amount": "10", "currency": "eu1"}, "three-letter"),
        ({"name": "Monthly", "interval": "week", "amount": "10", "currency": "eur"}, "Not a valid choice"),
        ({"name": "Annual membership", "interval": "year", "amount": "10", "currency": "eur"}, "already a plan"),
    ]:
        response = post(client, base + "plans", base, data)
        assert response.status_code == 400, data
        assert message in text_of(response), (data, text_of(response)[-2000:])
    response = post(
        client, base + "plans", base, {"name": "Monthly", "interval": "month", "amount": "10.50", "currency": "EUR"}
    )
    assert response.status_code == 303
    with Session(engines.owner) as session:
        plan = session.scalar(
            sa.select(DuesPlan).where(DuesPlan.association_id == billed.association.id, DuesPlan.name == "Monthly")
        )
        assert (plan.amount, plan.currency, plan.interval, plan.stripe_price_id) == (1050, "eur", "month", None)
        monthly_id = plan.id
    assert "not yet: sync" in text_of(client.get(base))

    assert post(client, base + "sync", base, {}).status_code == 303
    with Session(engines.owner) as session:
        price_id = session.get(DuesPlan, monthly_id).stripe_price_id
    assert stripe_api.gaps.prices[price_id]["unit_amount"] == 1050

    assert post(client, f"{base}plans/{monthly_id}/archive", base, {}).status_code == 303
    assert post(client, f"{base}plans/{monthly_id}/archive", base, {}).status_code == 409
    assert post(client, base + "sync", base, {}).status_code == 303
    assert stripe_api.gaps.prices[price_id]["active"] is False
    with Session(engines.owner) as session:
        assert session.get(DuesPlan, monthly_id).active is False
    assert audit_actions(engines, billed.association.id)[-4:] == [
        "billing.plan_created",
        "billing.plans_synced",
        "billing.plan_archived",
        "billing.plans_synced",
    ]


def test_sync_without_a_stripe_account_says_so(app, engines, make_world, make_user):
    world = make_world()
    client = admin_client(app, engines, make_user, world.association)
    base = f"/a/{world.association.slug}/billing/"
    response = post(client, base + "sync", base, {})
    assert response.status_code == 409 and "does not collect dues through Loupe" in text_of(response)


def _figure(body: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}">([^<]*)<', body)
    assert match, body[-3000:]
    return match.group(1)


def test_dues_collected_this_month_and_year_count_only_this_association(
    app, engines, make_billed, make_user, stripe_api
):
    billed = make_billed()
    other = make_billed()
    subscribe_in_stripe(billed, add_customer(engines, billed))
    subscribe_in_stripe(other, add_customer(engines, other))  # the other association's money, same (local) Stripe
    client = admin_client(app, engines, make_user, billed.association)
    for path in ("/billing/", "/"):
        body = client.get(f"/a/{billed.association.slug}{path}").get_data(as_text=True)
        assert _figure(body, "dues-month") == "120.00 EUR", path
        assert _figure(body, "dues-year") == "120.00 EUR", path
        assert "1 paid invoice" in body


def test_stripe_unreachable_leaves_the_pages_working(app, engines, billed, make_user):
    add_customer(engines, billed)
    client = admin_client(app, engines, make_user, billed.association)
    old = app.config["STRIPE_API_BASE"]
    app.config["STRIPE_API_BASE"] = "http://127.0.0.1:9"  # nothing listens there
    try:
        with expect_outbound("127.0.0.1", 9):
            for path in ("/billing/", "/"):
                response = client.get(f"/a/{billed.association.slug}{path}")
                assert response.status_code == 200 and "could not be reached" in text_of(response)
    finally:
        app.config["STRIPE_API_BASE"] = old


def test_an_admin_of_another_association_gets_404_for_every_billing_route_and_id(
    app, engines, billed, make_world, make_user
):
    with Session(engines.owner) as session:
        before = session.execute(
            sa.select(StripeAccount.secret_key_encrypted, StripeAccount.updated_at).where(
                StripeAccount.association_id == billed.association.id
            )
        ).one()
    b = make_world()
    client = admin_client(app, engines, make_user, b.association)
    own = f"/a/{b.association.slug}/billing/"
    token = csrf_token(client.get(own).get_data(as_text=True))
    data = {
        "csrf_token": token,
        "secret_key": "sk_test_hijack0000",
        "webhook_secret": "whsec_hijack",
        "name": "Hijacked",
        "interval": "year",
        "amount": "1",
        "currency": "eur",
    }
    tried = 0
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("admin.billing"):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for slug in (billed.association.slug, b.association.slug):
                url = rule.build({"association_slug": slug, "plan_id": billed.plan_id}, append_unknown=False)[1]
                if slug == b.association.slug and "plan_id" not in rule.arguments:
                    continue  # B's own pages without an id are B's to use
                response = client.get(url) if method == "GET" else client.open(url, method=method, data=data)
                assert response.status_code == 404, (method, url, response.status_code)
                assert "Annual membership" not in response.get_data(as_text=True)
                tried += 1
    assert tried >= 6
    body = client.get(own).get_data(as_text=True)
    assert "Annual membership" not in body and "Not connected" in text_of(client.get(own))
    with Session(engines.owner) as session:
        plan = session.get(DuesPlan, billed.plan_id)
        assert plan.active and plan.name == "Annual membership"
        assert session.scalar(sa.select(sa.func.count()).where(DuesPlan.name == "Hijacked")) == 0
        after = session.execute(
            sa.select(StripeAccount.secret_key_encrypted, StripeAccount.updated_at).where(
                StripeAccount.association_id == billed.association.id
            )
        ).one()
    assert tuple(after) == tuple(before)
    assert not [a for a in audit_actions(engines, billed.association.id) if a.startswith("billing.") and "key" in a]


def test_hostile_input_in_the_billing_forms_never_answers_5xx(app, engines, make_world, make_user):
    from tests.security.test_hostile_forms import HOSTILE

    world = make_world()
    client = admin_client(app, engines, make_user, world.association)
    base = f"/a/{world.association.slug}/billing/"
    token = csrf_token(client.get(base).get_data(as_text=True))
    fields = {
        "keys": ["secret_key", "webhook_secret", "publishable_key"],
        "plans": ["name", "interval", "amount", "currency"],
    }
    for action, names in fields.items():
        for value in HOSTILE:
            response = client.post(base + action, data={"csrf_token": token, **dict.fromkeys(names, value)})
            assert response.status_code == 400, (action, value[:20], response.status_code)
        for value in ("sk_test_\x00x", "sk_test_a b"):
            data = {"csrf_token": token, "secret_key": value, "webhook_secret": "whsec_x"}
            assert client.post(base + "keys", data=data).status_code == 400
    assert (
        client.post(
            base + "plans",
            data={"csrf_token": token, "name": "A\x00B", "interval": "year", "amount": "1", "currency": "eur"},
        ).status_code
        == 400
    )
    with engines.owner.connect() as conn:
        assert conn.scalar(sa.select(sa.func.count()).where(DuesPlan.association_id == world.association.id)) == 0
        assert conn.scalar(sa.select(sa.func.count()).where(StripeAccount.association_id == world.association.id)) == 0
