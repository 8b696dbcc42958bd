"""`flask associations`: create, list, suspend and unsuspend the platform's associations (the operator console does
the same through the same domain functions)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from associations import onboarding
from audit import Actor
from errors import DomainError
from mail.links import external_url
from regions import MAX_K, MIN_K
from security.tokens import sign

ACTOR = Actor.system("cli")


def _owner():
    return current_app.extensions["loupe_db"].engines.owner


@click.group("associations", help="The platform's associations: create, list, suspend, unsuspend.")
def associations_group() -> None:
    pass


@associations_group.command("create")
@click.option("--name", required=True, help="The association's name.")
@click.option("--slug", required=True, help="Its address: /a/<slug>/ (lowercase letters, digits, hyphens).")
@click.option("--timezone", default="UTC", show_default=True, help="e.g. Europe/London")
@click.option(
    "--k",
    "k_threshold",
    default=onboarding.DEFAULT_K,
    show_default=True,
    type=int,
    help=f"Privacy threshold k ({MIN_K}..{MAX_K}).",
)
@click.option("--admin-email", required=True, help="The first admin, invited by email.")
@click.option("--admin-name", default="")
@with_appcontext
def create(name: str, slug: str, timezone: str, k_threshold: int, admin_email: str, admin_name: str) -> None:
    """Create an association and invite its first admin (the invitation email is queued; the link is printed)."""
    try:
        with Session(_owner()) as session, session.begin():
            association, invitation = onboarding.create_association(
                session,
                name=name,
                slug=slug,
                timezone=timezone,
                k_threshold=k_threshold,
                admin_email=admin_email,
                admin_name=admin_name,
                actor=ACTOR,
                invitation_max_age=current_app.config["INVITATION_MAX_AGE"],
            )
            link = external_url("auth.accept_invitation", token=sign("invitation", invitation.nonce))
            created, admin = association.slug, invitation.email
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"association {created} created; first admin {admin} invited: {link}")


@associations_group.command("list")
@click.option("--search", default="", help="Part of a name or address.")
@with_appcontext
def list_command(search: str) -> None:
    """Associations with their stores and whether they are suspended."""
    with Session(_owner()) as session:
        rows = onboarding.list_associations(session, search=search)
        for row in rows:
            a = row.association
            state = f"suspended {a.suspended_at:%Y-%m-%d}" if a.suspended_at else "active"
            click.echo(f"{a.slug:<30} {row.stores:>6} stores  {state:<22} {a.name}")
        if not rows:
            click.echo("no associations")


def _toggle(slug: str, *, suspend: bool) -> None:
    try:
        with Session(_owner()) as session, session.begin():
            change = onboarding.suspend if suspend else onboarding.unsuspend
            association = change(session, slug, actor=ACTOR)
            done = association.slug
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"association {done} {'suspended' if suspend else 'active again'}")


@associations_group.command("suspend")
@click.argument("slug")
@with_appcontext
def suspend(slug: str) -> None:
    """Suspend an association: its people see a page saying so; nothing is deleted."""
    _toggle(slug, suspend=True)


@associations_group.command("unsuspend")
@click.argument("slug")
@with_appcontext
def unsuspend(slug: str) -> None:
    """Give a suspended association its access back."""
    _toggle(slug, suspend=False)
