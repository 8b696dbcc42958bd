"""`flask tenants`: create, list, migrate and drop store schemas; fill the warm pool of pre-built schemas."""

from __future__ import annotations

import sys

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from audit import Actor
from models import Association, Region, Store
from tenants.errors import TenancyError
from tenants.migrations import migrate_all_stores, store_head, stores_to_migrate
from tenants.pool import drain_pool, fill_pool, pool_status
from tenants.provisioning import StoreSpec, create_store, drop_store


def _database():
    return current_app.extensions["loupe_db"]


@click.group("tenants", help="Member stores and their schemas.")
def tenants_group() -> None:
    pass


@tenants_group.command("create")
@click.option("--association", "association_slug", required=True, help="Association slug.")
@click.option("--region", "region_slug", required=True, help="Region slug within the association.")
@click.option("--name", required=True, help="The store's display name.")
@click.option("--slug", default=None, help="Store address; derived from the name when omitted.")
@with_appcontext
def create(association_slug: str, region_slug: str, name: str, slug: str | None) -> None:
    """Register a store and build its schema; prints the slug and schema."""
    database = _database()
    try:
        store = create_store(
            database.engines.owner,
            StoreSpec(association_slug, region_slug, name, slug),
            app_role=database.app_role,
            actor=Actor.system("cli"),
        )
    except TenancyError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{store.slug}\t{store.schema_name}")


@tenants_group.command("list")
@with_appcontext
def list_stores() -> None:
    """Every store: slug, schema, status, revision, association, region."""
    head = store_head()
    with _database().engines.owner.connect() as conn:
        rows = conn.execute(
            sa.select(Store.slug, Store.schema_name, Store.status, Store.schema_revision, Association.slug, Region.slug)
            .join(Association, Association.id == Store.association_id)
            .join(Region, Region.id == Store.region_id)
            .order_by(Association.slug, Region.slug, Store.slug)
        ).all()
    click.echo("slug\tschema\tstatus\trevision\tassociation\tregion")
    for slug, schema, status, rev, assoc, region in rows:
        marker = rev if rev == head else f"{rev} (behind)"
        click.echo(f"{slug}\t{schema}\t{status}\t{marker}\t{assoc}\t{region}")


@tenants_group.command("migrate")
@click.option("--workers", type=int, default=None, help="Parallel connections (default TENANT_MIGRATION_WORKERS).")
@click.option("--store", "slugs", multiple=True, help="Only this store (repeatable); default: every store.")
@with_appcontext
def migrate(workers: int | None, slugs: tuple[str, ...]) -> None:
    """Upgrade every store schema not at head. Resumable; exits 1 when any store failed."""
    database = _database()
    workers = workers or current_app.config["TENANT_MIGRATION_WORKERS"]
    store_ids = None
    if slugs:
        with database.engines.owner.connect() as conn:
            found = dict(conn.execute(sa.select(Store.slug, Store.id).where(Store.slug.in_(slugs))).all())
        missing = sorted(set(slugs) - set(found))
        if missing:
            raise click.ClickException("no such store: " + ", ".join(missing))
        store_ids = list(found.values())
    todo, _current = stores_to_migrate(database.engines.owner, store_head(), store_ids)
    with click.progressbar(length=len(todo), label="migrating stores", show_pos=True, file=sys.stderr) as bar:
        report = migrate_all_stores(
            database.engines.owner,
            workers=workers,
            app_role=database.app_role,
            store_ids=store_ids,
            on_progress=lambda _schema, _ok: bar.update(1),
        )
    click.echo(
        f"head {report.target}: {len(report.upgraded)} upgraded, {report.already_current} already at head, "
        f"{len(report.failed)} failed"
    )
    if report.pool_upgraded or report.pool_dropped:
        click.echo(f"warm pool: {len(report.pool_upgraded)} upgraded, {len(report.pool_dropped)} dropped")
    for schema, message in sorted(report.failed.items()):
        click.echo(f"FAILED {schema}: {message}", err=True)
    if not report.ok:
        sys.exit(1)


@tenants_group.command("drop")
@click.argument("slug")
@click.option("--yes", is_flag=True, help="Confirm: the store's schema and data are deleted.")
@with_appcontext
def drop(slug: str, yes: bool) -> None:
    """Drop a store's schema and registry row. The audit log keeps a record."""
    if not yes:
        raise click.ClickException("dropping deletes the store's data: add --yes to confirm")
    database = _database()
    with database.engines.owner.connect() as conn:
        store_id = conn.scalar(sa.select(Store.id).where(Store.slug == slug))
    if store_id is None:
        raise click.ClickException(f"no store {slug!r}")
    drop_store(database.engines.owner, store_id, actor=Actor.system("cli"))
    click.echo(f"dropped {slug}")


@tenants_group.group("pool", help="The warm pool of pre-built store schemas (fast store creation).")
def pool_group() -> None:
    pass


@pool_group.command("fill")
@click.option("--size", type=click.IntRange(min=0), required=True, help="Schemas to keep ready at the store head.")
@with_appcontext
def pool_fill(size: int) -> None:
    """Build pool schemas until SIZE are ready (cron / timer, e.g. every minute; quick when full)."""
    database = _database()
    head = store_head()
    with click.progressbar(length=size, label="building pool schemas", show_pos=True, file=sys.stderr) as bar:
        built = fill_pool(
            database.engines.owner,
            size,
            revision=head,
            app_role=database.app_role,
            on_progress=lambda _name: bar.update(1),
        )
    click.echo(f"head {head}: built {built} pool schema(s); {size} ready")


@pool_group.command("status")
@with_appcontext
def pool_show() -> None:
    """Pool schemas by store revision and app role (only those at head for the current role are handed out)."""
    head = store_head()
    role = _database().app_role
    click.echo("revision\tapp_role\tschemas\tusable")
    for revision, app_role, count in pool_status(_database().engines.owner):
        usable = "yes" if revision == head and app_role == role else "no (migrate or drain)"
        click.echo(f"{revision}\t{app_role or '-'}\t{count}\t{usable}")


@pool_group.command("drain")
@click.option("--stale-only", is_flag=True, help="Keep the schemas a claim could use now; drop the others.")
@with_appcontext
def pool_drain(stale_only: bool) -> None:
    """Drop pool schemas (they hold no store data)."""
    database = _database()
    if stale_only:
        dropped = drain_pool(database.engines.owner, keep_revision=store_head(), keep_role=database.app_role)
    else:
        dropped = drain_pool(database.engines.owner)
    click.echo(f"dropped {dropped} pool schema(s)")
