"""`flask demo`: seed the demo data and print its logins."""

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from demo.bulletins import seed_bulletins
from demo.seed import ASSOCIATION, DEMO_PASSWORD, DEMO_TOTP_SECRET, STORES, seed_demo


@click.group("demo", help="Demo data.")
def demo_group() -> None:
    pass


@demo_group.command("seed", help="Create what is missing of the demo (idempotent) and print the logins.")
@with_appcontext
def seed() -> None:
    database = current_app.extensions["loupe_db"]
    total = sum(len(names) for names in STORES.values())
    with click.progressbar(length=total, label="demo stores", file=sys.stderr) as bar:
        logins = seed_demo(database.engines.owner, app_role=database.app_role, on_store=lambda _n: bar.update(1))
    published = seed_bulletins(database.engines.owner, ASSOCIATION[0])
    if published:
        click.echo(f"demo bulletins published: {published}")
    click.echo(f"\nDemo logins (password for all: {DEMO_PASSWORD})")
    for login in logins:
        click.echo(f"  {login.email:<40} {login.role:<20} {login.where}")
    click.echo(
        "\nThe association admin, the police liaison and the operator use two-step sign-in (their roles need it):"
        f"\n  add the demo key {DEMO_TOTP_SECRET} to an authenticator app (time-based, 6 digits), or"
        "\n  in development, pick the account under 'Demo sign-in as …' on the sign-in page (no password, no code;"
        "\n  that list exists only in a development app)."
    )
