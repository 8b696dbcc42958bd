"""`flask bulletins …`: casing pattern detection across regions (also run after every share); publishing the
trend counts of closed weeks (also run every hour by the worker)."""

from __future__ import annotations

from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.orm import Session

from alerts.patterns import DEFAULT_WINDOW, detect_all
from mail.outbox import deliver_pending
from mail.smtp import SmtpSettings
from models import Association
from trends.closing import close_all

bulletins_group = AppGroup("bulletins", help="Regional bulletins.")


@bulletins_group.command("detect-patterns")
@click.option("--association", "association_slug", default=None, help="Only this association (slug).")
@click.option("--days", default=DEFAULT_WINDOW.days, show_default=True, help="Window in days.")
def detect_patterns_command(association_slug: str | None, days: int) -> None:
    """Draft heightened-response bulletins for casing patterns and email the regions' liaisons."""
    engine = current_app.extensions["loupe_db"].engines.app
    with Session(engine) as session:
        association_id = None
        if association_slug:
            association = session.query(Association).filter_by(slug=association_slug).one_or_none()
            if association is None:
                raise click.ClickException(f"no association {association_slug!r}")
            association_id = association.id
        emails = detect_all(session, engine, association_id=association_id, window=timedelta(days=days))
        ids = [e.id for e in emails]
        session.commit()
    click.echo(f"{len(ids)} liaison email(s) queued.")
    if ids and current_app.config.get("MAIL_SERVER"):
        click.echo(deliver_pending(engine, SmtpSettings.from_config(current_app.config), ids=ids))


@bulletins_group.command("close-trend-weeks")
def close_trend_weeks_command() -> None:
    """Publish the trend counts of every closed week not published yet (the worker does it every hour)."""
    count = close_all(current_app.extensions["loupe_db"].engines.app)
    click.echo(f"{count} region-week(s) published.")
