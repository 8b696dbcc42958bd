"""`flask users`: bootstrap people before the admin portal can (an operator, an association's first admin)."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from accounts.accounts import create_invitation, normalise_email
from accounts.mailers import queue_invitation_email
from mail.links import external_url
from mail.outbox import deliver_pending
from mail.smtp import SmtpSettings
from models import Association, Region, Role, Store, User
from security.passwords import PasswordRejected, check_policy, hash_password
from security.tokens import sign


@click.group("users", help="People: operators and invitations.")
def users_group() -> None:
    pass


@users_group.command("create-operator")
@click.option("--email", required=True)
@click.option("--name", default="Platform operator")
@click.password_option()
@with_appcontext
def create_operator(email: str, name: str, password: str) -> None:
    """Create (or promote) a platform operator."""
    try:
        clean = check_policy(password, email=email)
    except PasswordRejected as exc:
        raise click.ClickException(str(exc)) from None
    owner = current_app.extensions["loupe_db"].engines.owner
    with Session(owner) as session, session.begin():
        user = session.scalar(sa.select(User).where(User.email == normalise_email(email)))
        if user is None:
            user = User(email=normalise_email(email), name=name, password_hash=hash_password(clean))
            session.add(user)
        user.is_operator = True
    click.echo(f"operator {normalise_email(email)} ready")


@users_group.command("invite")
@click.option("--email", required=True)
@click.option("--name", default="")
@click.option("--association", "association_slug", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--store", "store_slug", default=None, help="Store slug, for owner/manager/staff.")
@click.option("--region", "region_slug", default=None, help="Region slug, for a police liaison.")
@with_appcontext
def invite(email, name, association_slug, role, store_slug, region_slug) -> None:
    """Invite a person by email; prints the link too (useful in development)."""
    owner = current_app.extensions["loupe_db"].engines.owner
    with Session(owner) as session, session.begin():
        association = session.scalar(sa.select(Association).where(Association.slug == association_slug))
        if association is None:
            raise click.ClickException(f"no association {association_slug!r}")
        store = None
        if store_slug:
            store = session.scalar(
                sa.select(Store).where(Store.slug == store_slug, Store.association_id == association.id)
            )
            if store is None:
                raise click.ClickException(f"no store {store_slug!r} in {association_slug!r}")
        region_id = None
        if region_slug:
            region_id = session.scalar(
                sa.select(Region.id).where(Region.slug == region_slug, Region.association_id == association.id)
            )
            if region_id is None:
                raise click.ClickException(f"no region {region_slug!r} in {association_slug!r}")
        try:
            invitation = create_invitation(
                session,
                email=email,
                name=name,
                association=association,
                role=Role(role),
                store=store,
                region_id=region_id,
                max_age=current_app.config["INVITATION_MAX_AGE"],
            )
        except Exception as exc:
            raise click.ClickException(str(exc)) from None
        row = queue_invitation_email(session, invitation, inviter=None)
        link = external_url("auth.accept_invitation", token=sign("invitation", invitation.nonce))
        row_id = row.id
    if current_app.config.get("MAIL_SERVER"):
        deliver_pending(
            current_app.extensions["loupe_db"].engines.app, SmtpSettings.from_config(current_app.config), ids=[row_id]
        )
    click.echo(f"invited {normalise_email(email)} as {role}: {link}")
