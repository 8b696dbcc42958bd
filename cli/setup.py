"""`flask setup`: everything `make run` needs before serving, safe to run again."""

import click
from flask import current_app
from flask.cli import with_appcontext

from cli.db import upgrade
from cli.demo import seed
from cli.tenants import migrate


@click.command("setup", help="Migrate the shared schema and every store, then seed the demo. Idempotent.")
@click.option("--no-demo", is_flag=True, help="Skip the demo data.")
@click.pass_context
@with_appcontext
def setup_command(ctx: click.Context, no_demo: bool) -> None:
    ctx.invoke(upgrade)
    ctx.invoke(migrate)
    if not no_demo:
        ctx.invoke(seed)
    # Nothing is served yet: say what serves it, rather than "ready" (issue #19).
    url = current_app.config["PUBLIC_BASE_URL"]
    click.echo(f"\nSet up. Serve it with `make run` (or `flask --app app serve`), then open {url}")
