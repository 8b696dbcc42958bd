"""`flask mail`: deliver what is waiting in the outbox."""

import click
from flask import current_app
from flask.cli import with_appcontext

from mail.outbox import deliver_pending
from mail.smtp import SmtpSettings


@click.group("mail", help="Outgoing email.")
def mail_group() -> None:
    pass


@mail_group.command("send", help="Deliver due outbox rows (retries included).")
@with_appcontext
def send() -> None:
    if not current_app.config.get("MAIL_SERVER"):
        raise click.ClickException("no MAIL_SERVER configured")
    engine = current_app.extensions["loupe_db"].engines.app
    counts = deliver_pending(engine, SmtpSettings.from_config(current_app.config))
    click.echo(f"sent {counts['sent']}, retry later {counts['retry']}, failed {counts['failed']}")
