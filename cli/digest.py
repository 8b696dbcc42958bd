"""`flask digest`: queue a period's digest for an association or region and send it; `run-due` for cron."""

from __future__ import annotations

import logging
from datetime import date

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.orm import Session

from digest.periods import Period, PeriodError, last_complete_week, parse_period, since_period
from digest.runs import QueuedRun, queue_due, queue_period
from digest.send import SendCounts, deliver, deliver_in_workers, pending_count
from mail.dev_outbox import DevOutboxConnection
from mail.outbox import sender_domain
from mail.smtp import SmtpSettings
from models import Association, DigestDelivery, Region
from workspace.times import association_zone, local_today

log = logging.getLogger("loupe.digest")


@click.group("digest", help="The regional trend digest.")
def digest_group() -> None:
    pass


def _engines():
    return current_app.extensions["loupe_db"].engines


def _period(association: Association, period: str | None, since: date | None) -> Period:
    today = local_today(association_zone(association))
    if period and since:
        raise click.UsageError("Give --period or --since, not both.")
    try:
        if since:
            return since_period(since, today)
        if period:
            return parse_period(period, today)
    except PeriodError as exc:
        raise click.UsageError(str(exc)) from None
    return last_complete_week(today)


def _send(run_ids: list[int] | None, workers: int) -> SendCounts:
    if not current_app.config.get("MAIL_SERVER"):
        if current_app.config.get("DEV_OUTBOX"):
            # Development keeps all mail in the outbox (/dev/outbox): the digest too, like every other email.
            outbox = DevOutboxConnection(_engines().app, kind="digest")
            counts = deliver(
                _engines().app, SmtpSettings.from_config(current_app.config), run_ids=run_ids, connection=outbox
            )
            click.echo(f"no MAIL_SERVER: {outbox.kept} digest email(s) kept in the development outbox (/dev/outbox)")
            return counts
        # Elsewhere (production, testing) nothing may pretend to send: the deliveries wait for a mail server.
        raise click.ClickException("no MAIL_SERVER configured: the deliveries stay queued; run again with one")
    total = pending_count(_engines().app, run_ids)
    with click.progressbar(length=total, label="sending", show_pos=True, show_percent=True) as bar:
        done = [0]

        def advance(left: int) -> None:
            bar.update(max(0, total - left - done[0]))
            done[0] = max(done[0], total - left)

        return deliver_in_workers(
            workers, app_factory=current_app.extensions["app_factory"], run_ids=run_ids, progress=advance
        )


def _report(queued: list[QueuedRun], counts: SendCounts | None) -> None:
    with Session(_engines().owner) as session:
        for q in queued:
            by_status = dict(
                session.execute(
                    sa.select(DigestDelivery.status, sa.func.count())
                    .where(DigestDelivery.run_id == q.run.id)
                    .group_by(DigestDelivery.status)
                ).all()
            )
            line = (
                f"digest run {q.run.id} region {q.run.region_id} period {q.run.period}: recipients {q.run.recipients}"
                f" (new {q.added}), sent {by_status.get('sent', 0)}, pending {by_status.get('pending', 0)},"
                f" failed {by_status.get('failed', 0)}, skipped {by_status.get('skipped', 0)}"
            )
            log.info(line)
            click.echo(line)
    if counts is not None:
        click.echo(
            f"this pass: sent {counts.sent}, retry later {counts.retry}, failed {counts.failed},"
            f" skipped {counts.skipped}"
        )
        for error in counts.errors[:5]:
            click.echo(f"  error: {error}", err=True)


@digest_group.command("send", help="Queue one period's digest (default: last complete week) and send it.")
@click.option("--association", "association_slug", help="Association slug (default: every association).")
@click.option("--region", "region_slug", help="Region slug (needs --association).")
@click.option("--period", help="ISO week (2026-W48) or a day (2026-11-27).")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), help="From this day up to today.")
@click.option("--queue-only", is_flag=True, help="Queue the deliveries without sending them.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 16), help="Sender processes.")
@with_appcontext
def send(association_slug, region_slug, period, since, queue_only, workers) -> None:
    if region_slug and not association_slug:
        raise click.UsageError("--region needs --association.")
    domain = sender_domain(current_app.config["MAIL_FROM"])
    queued: list[QueuedRun] = []
    with Session(_engines().owner, expire_on_commit=False) as session, session.begin():
        query = sa.select(Association).order_by(Association.id)
        if association_slug:
            query = query.where(Association.slug == association_slug)
        associations = list(session.scalars(query))
        if not associations:
            raise click.ClickException(f"no association {association_slug!r}")
        for association in associations:
            region = None
            if region_slug:
                region = session.scalar(
                    sa.select(Region).where(Region.association_id == association.id, Region.slug == region_slug)
                )
                if region is None:
                    raise click.ClickException(f"no region {region_slug!r} in {association.slug}")
            chosen = _period(association, period, since.date() if since else None)
            queued += queue_period(session, association, chosen, domain=domain, region=region)
    counts = None if queue_only else _send([q.run.id for q in queued], workers)
    _report(queued, counts)


@digest_group.command("run-due", help="Queue every digest whose scheduled time has passed and send what is due.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 16), help="Sender processes.")
@with_appcontext
def run_due(workers) -> None:
    domain = sender_domain(current_app.config["MAIL_FROM"])
    with Session(_engines().owner, expire_on_commit=False) as session, session.begin():
        queued = queue_due(session, domain=domain)
    counts = _send(None, workers)  # due retries of earlier runs included
    _report(queued, counts)
