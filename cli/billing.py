"""`flask billing`: Stripe keys, dues plans, and repairing local state from Stripe."""

from __future__ import annotations

import sys

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from audit import Actor
from billing import platform as platform_billing
from billing.crypto import SecretBox
from billing.plans import create_plan, sync_plans
from billing.reconcile import SubscriptionChange, reconcile_all
from billing.stripe_client import save_stripe_account, stripe_for
from errors import DomainError
from mail.outbox import deliver_pending
from mail.smtp import SmtpSettings
from models import Association, StripeAccount, User
from security import secretbox


def _engine():
    return current_app.extensions["loupe_db"].engines.app


def _association_id(session: Session, slug: str) -> int:
    association_id = session.scalar(sa.select(Association.id).where(Association.slug == slug))
    if association_id is None:
        raise click.ClickException(f"no association {slug!r}")
    return association_id


@click.group("billing", help="Membership dues through each association's Stripe account.")
def billing_group() -> None:
    pass


@billing_group.command("set-keys")
@click.option("--association", "association_slug", required=True, help="Association slug.")
@click.option("--secret-key", prompt=True, hide_input=True, help="The Stripe secret key (sk_...).")
@click.option("--webhook-secret", prompt=True, hide_input=True, help="The endpoint's signing secret (whsec_...).")
@click.option("--publishable-key", default="", help="Optional pk_... shown to admins.")
@with_appcontext
def set_keys(association_slug: str, secret_key: str, webhook_secret: str, publishable_key: str) -> None:
    """Store an association's Stripe keys, encrypted. Prints the webhook URL to give Stripe."""
    from mail.links import external_url

    box = SecretBox.from_config(current_app.config)
    with Session(_engine()) as session, session.begin():
        association_id = _association_id(session, association_slug)
        try:
            save_stripe_account(
                session,
                association_id,
                secret_key=secret_key,
                webhook_secret=webhook_secret,
                publishable_key=publishable_key,
                box=box,
            )
        except DomainError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo("keys saved (encrypted)")
    click.echo("webhook URL: " + external_url("webhooks.stripe_events", association_slug=association_slug))


@billing_group.command("add-plan")
@click.option("--association", "association_slug", required=True)
@click.option("--name", required=True)
@click.option("--interval", type=click.Choice(["year", "month"]), required=True)
@click.option("--amount", type=int, required=True, help="In the currency's minor unit (cents).")
@click.option("--currency", required=True, help="Three-letter code, e.g. eur.")
@with_appcontext
def add_plan(association_slug: str, name: str, interval: str, amount: int, currency: str) -> None:
    """Add a dues plan; `flask billing sync-plans` then pushes it to Stripe."""
    with Session(_engine()) as session, session.begin():
        try:
            plan = create_plan(
                session,
                _association_id(session, association_slug),
                name=name,
                interval=interval,
                amount=amount,
                currency=currency,
            )
        except DomainError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"plan {plan.id} added: {plan.name}")


@billing_group.command("sync-plans")
@click.option("--association", "association_slug", default=None, help="Only this association.")
@with_appcontext
def sync_plans_command(association_slug: str | None) -> None:
    """Push every association's dues plans to its Stripe account (products and recurring prices)."""
    failed = False
    with Session(_engine()) as session:
        query = sa.select(StripeAccount.association_id, Association.slug).join(Association)
        if association_slug:
            query = query.where(Association.slug == association_slug)
        accounts = session.execute(query.order_by(Association.slug)).all()
    for association_id, slug in accounts:
        with Session(_engine(), expire_on_commit=False) as session:
            try:
                with session.begin():
                    results = sync_plans(session, stripe_for(session, association_id, current_app.config))
            except DomainError as exc:
                click.echo(f"{slug}: FAILED {exc}", err=True)
                failed = True
                continue
        for result in results:
            click.echo(f"{slug}\t{result.plan.name}\t{result.action}\t{result.plan.stripe_price_id or '-'}")
    if failed:
        sys.exit(1)


@billing_group.command("reconcile")
@click.option("--association", "association_slug", default=None, help="Only this association.")
@with_appcontext
def reconcile(association_slug: str | None) -> None:
    """Re-read every store subscription from Stripe and repair local state (missed or failed webhooks)."""
    config = current_app.config
    engine = _engine()

    def after_commit(change: SubscriptionChange) -> None:
        if change.emails and config.get("MAIL_SERVER"):
            deliver_pending(engine, SmtpSettings.from_config(config), ids=[e.id for e in change.emails])

    report = reconcile_all(engine, config, association_slug=association_slug, on_committed=after_commit)
    for change in report.changes:
        click.echo(f"store {change.store_id}: {change.before or '-'} -> {change.after or '-'}")
    click.echo(f"checked {report.checked}, repaired {len(report.changes)}, failed {len(report.failures)}")
    for store_id, message in sorted(report.failures.items()):
        click.echo(f"FAILED store {store_id}: {message}", err=True)
    if not report.ok:
        sys.exit(1)


@billing_group.command("rotate-keys")
@with_appcontext
def rotate_keys() -> None:
    """Re-encrypt every stored Stripe secret and TOTP secret under the newest BILLING_ENCRYPTION_KEYS key."""
    box = SecretBox.from_config(current_app.config)
    totp = secretbox.SecretBox.for_purpose(current_app.config, secretbox.TOTP_LABEL)
    with Session(_engine()) as session, session.begin():
        accounts = session.scalars(sa.select(StripeAccount).with_for_update()).all()
        for account in accounts:
            account.secret_key_encrypted = box.reseal(account.secret_key_encrypted)
            account.webhook_secret_encrypted = box.reseal(account.webhook_secret_encrypted)
        # The same keys seal the two-step sign-in secrets: re-seal them too, so an old key can be retired.
        people = session.scalars(sa.select(User).where(User.totp_secret.is_not(None)).with_for_update()).all()
        for person in people:
            if secretbox.looks_sealed(person.totp_secret):
                person.totp_secret = totp.reseal(person.totp_secret)
            else:
                person.totp_secret = totp.seal(person.totp_secret)
    click.echo(f"re-encrypted {len(accounts)} Stripe account(s) and {len(people)} two-step secret(s)")


# --- platform billing: Loupe's own plans, on the platform's Stripe account (billing.platform) ------------------


@billing_group.command("add-platform-plan")
@click.option("--name", required=True)
@click.option("--interval", type=click.Choice(["year", "month"]), required=True)
@click.option("--amount-per-store", type=int, required=True, help="Per member store, in the currency's minor unit.")
@click.option("--currency", required=True, help="Three-letter code, e.g. eur.")
@with_appcontext
def add_platform_plan(name: str, interval: str, amount_per_store: int, currency: str) -> None:
    """Add a plan Loupe offers associations; `flask billing sync-platform-plans` then pushes it to Stripe."""
    with Session(_engine()) as session, session.begin():
        try:
            plan = platform_billing.create_platform_plan(
                session,
                name=name,
                interval=interval,
                amount_per_store=amount_per_store,
                currency=currency,
                actor=Actor.system("cli"),
            )
        except DomainError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"platform plan {plan.id} added: {plan.name}")


@billing_group.command("sync-platform-plans")
@with_appcontext
def sync_platform_plans_command() -> None:
    """Push the platform plans to the platform's Stripe account (PLATFORM_STRIPE_SECRET_KEY)."""
    try:
        platform = platform_billing.require_platform_stripe(current_app.config)
        with Session(_engine()) as session, session.begin():
            for plan, action in platform_billing.sync_platform_plans(session, platform, actor=Actor.system("cli")):
                click.echo(f"{plan.name}: {action} ({plan.stripe_price_id})")
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None
