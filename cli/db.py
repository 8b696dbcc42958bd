"""`flask db`: the shared schema's migrations and the database roles."""

import click
from flask import current_app
from flask.cli import with_appcontext

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
