"""`flask tenants export | restore | delete-data`: one store's data out, back in as a new store, and deleted."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from audit import Actor
from tenants.backup import delete_store_data, export_store, restore_store
from tenants.errors import TenancyError


def _database():
    return current_app.extensions["loupe_db"]


@click.command("export")
@click.argument("slug")
@click.argument("file", type=click.File("w", encoding="utf-8", atomic=True))
@with_appcontext
def export_command(slug: str, file) -> None:
    """Write store SLUG (its schema's rows, photos included, and its shared rows) to FILE as JSON ('-': stdout)."""
    try:
        counts = export_store(_database().engines.owner, slug, file, actor=Actor.system("cli"))
    except TenancyError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"exported {slug}: {sum(counts.values())} rows in {len(counts)} tables", err=True)


@click.command("restore")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@click.option("--association", "association_slug", required=True, help="Association that receives the store.")
@click.option("--region", "region_slug", required=True, help="Region slug within that association.")
@click.option("--name", default=None, help="Display name; the exported store's name when omitted.")
@click.option("--slug", default=None, help="Store address; the exported one when free, else derived from the name.")
@with_appcontext
def restore_command(file, association_slug: str, region_slug: str, name: str | None, slug: str | None) -> None:
    """Restore an export FILE into a NEW store (new id and schema) of this database."""
    database = _database()
    try:
        report = restore_store(
            database.engines.owner,
            file,
            association_slug=association_slug,
            region_slug=region_slug,
            app_role=database.app_role,
            name=name,
            slug=slug,
            actor=Actor.system("cli"),
        )
    except TenancyError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{report.store.slug}\t{report.store.schema_name}")
    click.echo(
        f"restored {sum(report.rows.values())} rows, {report.memberships} memberships "
        f"({len(report.users_created)} people created without a password: they set one with 'Forgot password')",
        err=True,
    )
    for note in report.notes:
        click.echo(f"note: {note}", err=True)


@click.command("delete-data")
@click.argument("slug")
@click.option("--yes", is_flag=True, help="Confirm: the store's data is deleted for good.")
@with_appcontext
def delete_data_command(slug: str, yes: bool) -> None:
    """Delete everything about store SLUG on request; the audit log keeps a record of it."""
    if not yes:
        raise click.ClickException("this deletes the store's data for good (export it first): add --yes to confirm")
    try:
        report = delete_store_data(_database().engines.owner, slug, actor=Actor.system("cli"))
    except TenancyError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"deleted {report.slug} (schema {report.schema}); "
        f"{len(report.users_deleted)} people with no other membership deleted"
    )


backup_commands = (export_command, restore_command, delete_data_command)
