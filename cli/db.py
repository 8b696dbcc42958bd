"""`flask db`: the shared schema's migrations and the database roles."""

import click
from flask import current_app
from flask.cli import with_appcontext

from database.citus import prepare_shared_tables
from database.migrate import upgrade_shared


@click.group("db", help="Shared schema: migrations and roles.")
def db_group() -> None:
    pass


@db_group.command("upgrade", help="Create roles and bring the shared schema to head.")
@with_appcontext
def upgrade() -> None:
    database = current_app.extensions["loupe_db"]
    database.ensure_roles()
    upgrade_shared(database.engines.owner)
    database.ensure_roles()  # grants on tables the migration just created
    click.echo("shared schema at head")


@db_group.command(
    "citus-prepare",
    help="On a Citus coordinator: put the shared tables into Citus's metadata as coordinator-local tables (see "
    "database/citus.py for which and why), parents first, and set each identity sequence past its table's max(id). "
    "Run after `db upgrade`; idempotent.",
)
@with_appcontext
def citus_prepare() -> None:
    database = current_app.extensions["loupe_db"]
    try:
        report = prepare_shared_tables(database.engines.owner)
    except (RuntimeError, ValueError) as exc:  # not a Citus database, or a layout Citus would refuse
        raise click.ClickException(str(exc)) from exc
    database.ensure_roles()  # converting a table drops its sequences' grants: the app role's USAGE comes back here
    for table, kind in report.converted.items():
        click.echo(f"{table}: {kind}")
    click.echo(
        f"{sum(k != 'plain' for k in report.converted.values())} shared tables added to Citus's metadata, "
        f"{len(report.already)} already there; "
        f"{len(report.sequences)} identity sequences set past their table's max(id)"
    )
