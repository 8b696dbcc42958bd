"""`flask tenants` commands of the admin portal: purge stores past their removal grace period, finish schema
builds, import stores from CSV. They call the same domain functions as the portal."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from audit import Actor
from members.imports import import_stores
from members.stores import DEFAULT_REMOVAL_GRACE, stores_due_for_purge
from models import Association
from tenants.pending import build_schemas, pending_store_ids
from tenants.provisioning import drop_store


def _database():
    return current_app.extensions["loupe_db"]


@click.command("purge-removed")
@click.option(
    "--grace-days", type=int, default=DEFAULT_REMOVAL_GRACE.days, show_default=True, help="Days after the request."
)
@click.option("--dry-run", is_flag=True, help="List the stores that would be dropped; drop nothing.")
@with_appcontext
def purge_removed(grace_days: int, dry_run: bool) -> None:
    """Drop the stores whose removal was confirmed longer ago than the grace period (schema and registry rows)."""
    owner = _database().engines.owner
    with Session(owner) as session:
        due = [(s.id, s.slug) for s in stores_due_for_purge(session, grace=timedelta(days=max(grace_days, 0)))]
    for store_id, slug in due:
        if dry_run:
            click.echo(f"would drop {slug}")
            continue
        drop_store(owner, store_id, actor=Actor.system("cli:purge-removed"))
        click.echo(f"dropped {slug}")
    click.echo(f"{len(due)} store(s) past the grace period" + (" (dry run)" if dry_run else ""))


@click.command("build-pending")
@with_appcontext
def build_pending() -> None:
    """Build the schemas of registered stores still being set up (after an import or an interrupted build)."""
    database = _database()
    ids = pending_store_ids(database.engines.owner)
    with click.progressbar(length=len(ids), label="building store schemas", show_pos=True, file=sys.stderr) as bar:
        built, failed = build_schemas(
            database.engines.owner, ids, app_role=database.app_role, on_progress=lambda _id, _ok: bar.update(1)
        )
    click.echo(f"{built} built, {failed} failed")
    if failed:
        sys.exit(1)


@click.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--association", "association_slug", required=True, help="Association slug.")
@click.option("--dry-run", is_flag=True, help="Check the file only.")
@with_appcontext
def import_command(csv_file: Path, association_slug: str, dry_run: bool) -> None:
    """Import member stores from a CSV file (the portal's format), invite their owners, build their schemas."""
    database = _database()
    with Session(database.engines.owner, expire_on_commit=False) as session, session.begin():
        association = session.scalar(sa.select(Association).where(Association.slug == association_slug))
        if association is None:
            raise click.ClickException(f"no association {association_slug!r}")
        report = import_stores(
            session,
            association,
            csv_file.read_bytes(),
            actor=Actor.system("cli"),
            dry_run=dry_run,
            invitation_max_age=current_app.config["INVITATION_MAX_AGE"],
        )
    for error in report.file_errors:
        click.echo(f"file: {error}", err=True)
    for row in report.rows_with_errors:
        for error in row.errors:
            click.echo(f"line {row.line}: {error}", err=True)
    if not report.ok:
        raise click.ClickException("nothing imported")
    if dry_run:
        click.echo(f"{len(report.rows)} stores ready to import (dry run)")
        return
    click.echo(f"{len(report.created_store_ids)} stores registered; owner invitations queued (`flask mail send`)")
    ids = report.created_store_ids
    with click.progressbar(length=len(ids), label="building store schemas", show_pos=True, file=sys.stderr) as bar:
        built, failed = build_schemas(
            database.engines.owner, ids, app_role=database.app_role, on_progress=lambda _id, _ok: bar.update(1)
        )
    click.echo(f"{built} built, {failed} failed")


# Joined to `flask tenants` in cli/__init__.py.
store_commands = (purge_removed, build_pending, import_command)
