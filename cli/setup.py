"""`flask setup`: everything `make run` needs before serving, safe to run again."""

import os

import click
from flask import current_app
from flask.cli import with_appcontext

from cli.db import upgrade
from cli.demo import seed
from cli.serve import served_base_url
from cli.tenants import migrate


@click.command("setup", help="Migrate the shared schema and every store, then seed the demo. Idempotent.")
@click.option("--no-demo", is_flag=True, help="Skip the demo data.")
@click.option("--port", type=click.IntRange(1, 65535), help="The port `make run` will serve on (for the message).")
@click.option("--serving", is_flag=True, hidden=True, help="Called by `make run`: the server starts next.")
@click.pass_context
@with_appcontext
def setup_command(ctx: click.Context, no_demo: bool, port: int | None, serving: bool) -> None:
    ctx.invoke(upgrade)
    ctx.invoke(migrate)
    if not no_demo:
        ctx.invoke(seed)
    click.echo(next_step(port=port, serving=serving, configured_url=current_app.config["PUBLIC_BASE_URL"]))


def next_step(*, port: int | None, serving: bool, configured_url: str) -> str:
    """What setup says last: nothing is served yet, and what serves it where (issue #19), not "ready"."""
    url = (served_base_url(os.environ, "127.0.0.1", port) if port else None) or configured_url
    if serving:
        return f"\nSet up. Starting the server at {url} ..."
    return (
        f"\nSet up; nothing is served yet. Next: `make run` serves it at {url}"
        " (`make run PORT=8080` for another port), with a job worker beside it."
    )
