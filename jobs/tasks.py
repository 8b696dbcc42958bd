"""The jobs the worker runs: each a thin call into a domain function, in the Flask app's context.

`JOBS` is the one explicit list (no registration by import side effect): `jobs.worker.queue_app` registers each
entry with procrastinate, and the entries with a `cron` are also scheduled by the queue (no cron on the host).
Every job is idempotent — safe to run twice, or again after a crash:
- mail delivery claims pending outbox rows with SKIP LOCKED and marks them sent (fixed Message-IDs);
- pattern detection drafts a pattern once (it skips patterns it already drafted);
- closing a trend week publishes only weeks not published yet (the first insert wins);
- schema builds and pool refills skip work already done; purges re-read what is still due;
- digest runs are unique per (region, period), deliveries per (run, person);
- the password-reset email has a Message-ID fixed by the job's arguments and is not queued twice;
- dues reconciliation applies Stripe's state, and applying the same state twice changes nothing; so does the
  platform's, and the store-count sync's idempotency key names both counts (a retry changes nothing twice);
- meeting reminders mark the meeting in the same transaction and have Message-IDs fixed per meeting and person;
- notifications are unique per (event key, person) where they are kept, and the email is queued only with a new row;
- the purge of deleted incidents re-reads what is past its 30 days (a second run finds nothing more to remove).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from accounts.mailers import queue_lock_notice_email, queue_reset_email
from alerts.patterns import detect_region
from associations.signups import purge_expired
from billing import platform as platform_billing
from billing.reconcile import reconcile_all
from digest.runs import queue_due
from digest.send import deliver
from jobs import names
from logbook.incidents import purge_all_stores as purge_deleted_incidents_in_stores
from mail.outbox import deliver_pending, sender_domain
from mail.smtp import SmtpSettings
from meetings.invitations import remind_all
from members.stores import DEFAULT_REMOVAL_GRACE, stores_due_for_purge
from models import OutboundEmail, Region, User
from models.base import utcnow
from notifications.fanout import fan_out, patrols_expiring
from outgoing.deliver import deliver as deliver_webhook_attempt
from tenants.migrations import store_head
from tenants.pending import build_schemas, pending_store_ids
from tenants.pool import fill_pool as fill_pool_schemas
from tenants.provisioning import drop_store
from trends.closing import close_all

log = logging.getLogger(__name__)


def _database():
    return current_app.extensions["loupe_db"]


def deliver_mail(ids: list[int] | None = None, timestamp: int | None = None) -> None:
    """Send the outbox rows `ids` (a transaction's emails), or, every minute, every due row (retries whose backoff
    has passed, rows whose job was lost). Development keeps them queued for /dev/outbox."""
    if not current_app.config.get("MAIL_SERVER"):
        return
    counts = deliver_pending(_database().engines.app, SmtpSettings.from_config(current_app.config), ids=ids)
    if any(counts.values()):
        log.info("outbox: %s", counts)


def send_password_reset(email: str, token: str) -> None:
    """Queue the reset email for `email` if an active account has it (the request never looks: same time)."""
    message_id = f"<reset-{token}@{sender_domain(current_app.config['MAIL_FROM'])}>"

    with Session(_database().engines.app, expire_on_commit=False) as session, session.begin():
        if session.scalar(sa.select(OutboundEmail.id).where(OutboundEmail.message_id == message_id)):
            return  # this job ran before and its email is queued (or sent)
        user = session.scalar(sa.select(User).where(User.email == email, User.is_active.is_(True)))
        if user is not None:
            queue_reset_email(session, user, message_id=message_id)


def send_lock_notice(email: str, token: str) -> None:
    """Tell the owner of `email` (if an active account has it) that failed sign-ins locked their account, with a
    link to choose a new password. Written by `accounts.authenticate` when the account locks; `token` fixes the
    Message-ID, so a job that runs twice queues one email."""
    message_id = f"<lock-{token}@{sender_domain(current_app.config['MAIL_FROM'])}>"
    with Session(_database().engines.app, expire_on_commit=False) as session, session.begin():
        if session.scalar(sa.select(OutboundEmail.id).where(OutboundEmail.message_id == message_id)):
            return  # this job ran before and its email is queued (or sent)
        user = session.scalar(sa.select(User).where(User.email == email, User.is_active.is_(True)))
        if user is not None:
            queue_lock_notice_email(session, user, message_id=message_id)


def detect_patterns(region_id: int) -> None:
    """Casing patterns across the region's stores, after a share; emails the region's liaisons."""
    engine = _database().engines.app
    with Session(engine, expire_on_commit=False) as session, session.begin():
        region = session.get(Region, region_id)
        if region is not None:
            detect_region(session, engine, region)


def close_trend_weeks(timestamp: int | None = None) -> None:
    """Publish the trend counts of every week that has closed and is not published yet (`trends.closing`)."""
    count = close_all(_database().engines.app)
    if count:
        log.info("trends: published %s region-week(s)", count)


def build_stores(store_ids: list[int]) -> None:
    """Build the schemas of stores registered by a request (invitation, import); a failure marks that store."""
    database = _database()
    built, failed = build_schemas(database.engines.owner, store_ids, app_role=database.app_role)
    log.info("store schemas: %s built, %s failed", built, failed)


def build_pending(timestamp: int | None = None) -> None:
    """Finish builds a crash interrupted (stores still `provisioning`)."""
    ids = pending_store_ids(_database().engines.owner)
    if ids:
        build_stores(ids)


def fill_pool(timestamp: int | None = None) -> None:
    """Keep TENANT_POOL_SIZE pre-built store schemas ready, so a new store is ready at once."""
    size = int(current_app.config.get("TENANT_POOL_SIZE", 0) or 0)
    if size <= 0:
        return
    database = _database()
    built = fill_pool_schemas(database.engines.owner, size, revision=store_head(), app_role=database.app_role)
    if built:
        log.info("pool: built %s schema(s)", built)


def purge_removed(timestamp: int | None = None) -> None:
    """Drop the stores whose removal grace period has passed (schema and registry rows; the audit stays)."""
    owner = _database().engines.owner
    with Session(owner) as session:
        due = [s.id for s in stores_due_for_purge(session, grace=DEFAULT_REMOVAL_GRACE)]
    for store_id in due:
        drop_store(owner, store_id, actor_email="job:purge-removed")


def run_due_digests(timestamp: int | None = None) -> None:
    """Queue the digests whose scheduled time has passed and send what is due (retries of earlier runs too)."""
    engines = _database().engines
    with Session(engines.owner, expire_on_commit=False) as session, session.begin():
        queued = queue_due(session, domain=sender_domain(current_app.config["MAIL_FROM"]))
    if queued:
        log.info("digest: queued %s run(s)", len(queued))
    if not current_app.config.get("MAIL_SERVER"):
        return  # development: deliveries wait until a mail server is configured (or `flask digest send`)
    counts = deliver(engines.app, SmtpSettings.from_config(current_app.config))
    if counts.handled:
        log.info(
            "digest: sent %s, retry %s, failed %s, skipped %s", counts.sent, counts.retry, counts.failed, counts.skipped
        )


def reconcile_dues(timestamp: int | None = None) -> None:
    """Re-read every store's dues subscription from Stripe and repair local state (missed or failed webhooks)."""
    report = reconcile_all(_database().engines.app, current_app.config)
    if report.changes or report.failures:
        log.info("dues: checked %s, repaired %s, failed %s", report.checked, len(report.changes), len(report.failures))


def sync_platform_quantity(association_id: int) -> None:
    """After stores were added or removed: the association's Loupe subscription quantity = its member stores."""
    platform = platform_billing.platform_stripe(current_app.config)
    if platform is None:
        return
    with Session(_database().engines.app) as session, session.begin():
        platform_billing.sync_quantity(session, association_id, platform, now=utcnow())


def reconcile_platform(timestamp: int | None = None) -> None:
    """Re-read every association's Loupe subscription from the platform's Stripe account (missed webhooks)."""
    platform = platform_billing.platform_stripe(current_app.config)
    if platform is None:
        return
    with Session(_database().engines.app) as session, session.begin():
        platform_billing.reconcile_all(session, platform)


def purge_expired_signups(timestamp: int | None = None) -> None:
    """Public sign-ups whose confirmation link expired unused leave (with the password hash they held)."""
    with Session(_database().engines.app) as session, session.begin():
        gone = purge_expired(session, max_age=current_app.config["SIGNUP_CONFIRM_MAX_AGE"])
    if gone:
        log.info("sign-ups: %s expired unconfirmed removed", gone)


def notify(event: str, args: dict) -> None:
    """Tell the people concerned about one event, in their inbox and by email (once per event and person)."""
    written = fan_out(_database().engines.app, event, args)
    if written:
        log.info("notifications: %s written for %s", written, event)


def notify_expiring_patrols(timestamp: int | None = None) -> None:
    """Hourly: owners and managers hear about sent patrol requests nobody acknowledged that end within a day."""
    written = patrols_expiring(_database().engines.app)
    if written:
        log.info("notifications: %s expiring patrol request(s)", written)


def remind_meetings(timestamp: int | None = None) -> None:
    """Hourly: owners and managers get a reminder of each meeting starting within a day (once per start time)."""
    queued = remind_all(_database().engines.app)
    if queued:
        log.info("meetings: %s reminder(s) queued", queued)


def deliver_webhook(delivery_id: int) -> None:
    """One attempt at an outgoing webhook delivery; a failure raises, and the queue retries it with its backoff."""
    deliver_webhook_attempt(
        _database().engines.app,
        delivery_id,
        max_attempts=WEBHOOK_ATTEMPTS,
        allow_private=bool(current_app.config.get("WEBHOOKS_ALLOW_PRIVATE_TARGETS")),
    )


WEBHOOK_ATTEMPTS = 5


def purge_deleted_incidents(timestamp: int | None = None) -> None:
    """Daily: incidents deleted more than 30 days ago leave every store's logbook for good, photos too."""
    purged = purge_deleted_incidents_in_stores(_database().engines.app)
    if purged:
        log.info("logbook: %s deleted incident(s) purged", purged)


@dataclass(frozen=True)
class Job:
    """One task the worker knows: its name, function, schedule (cron, in UTC) and retry policy."""

    name: str
    func: Callable[..., Any]
    cron: str | None = None
    lock: str | None = None
    max_attempts: int = 5


JOBS: tuple[Job, ...] = (
    Job(names.DELIVER_MAIL, deliver_mail, cron="* * * * *"),
    Job(names.SEND_PASSWORD_RESET, send_password_reset),
    Job(names.SEND_LOCK_NOTICE, send_lock_notice),
    Job(names.DETECT_PATTERNS, detect_patterns),
    Job(names.CLOSE_TREND_WEEKS, close_trend_weeks, cron="5 * * * *", lock=names.TRENDS_LOCK),
    Job(names.BUILD_STORES, build_stores, lock=names.BUILD_LOCK),
    Job(names.BUILD_PENDING, build_pending, cron="*/10 * * * *", lock=names.BUILD_LOCK),
    Job(names.FILL_POOL, fill_pool, cron="*/5 * * * *", lock=names.POOL_LOCK),
    Job(names.PURGE_REMOVED, purge_removed, cron="17 * * * *", lock=names.PURGE_LOCK),
    Job(names.RUN_DUE_DIGESTS, run_due_digests, cron="*/15 * * * *", lock=names.DIGEST_LOCK),
    Job(names.RECONCILE_DUES, reconcile_dues, cron="40 3 * * *", lock=names.RECONCILE_LOCK),
    Job(names.SYNC_PLATFORM_QUANTITY, sync_platform_quantity),
    Job(names.RECONCILE_PLATFORM, reconcile_platform, cron="50 3 * * *", lock=names.RECONCILE_LOCK),
    Job(names.PURGE_EXPIRED_SIGNUPS, purge_expired_signups, cron="23 * * * *"),
    Job(names.NOTIFY, notify),
    Job(names.PATROLS_EXPIRING, notify_expiring_patrols, cron="5 * * * *", lock=names.EXPIRING_LOCK),
    Job(names.MEETING_REMINDERS, remind_meetings, cron="25 * * * *", lock=names.REMINDER_LOCK),
    Job(names.DELIVER_WEBHOOK, deliver_webhook, max_attempts=WEBHOOK_ATTEMPTS),
    Job(names.PURGE_DELETED_INCIDENTS, purge_deleted_incidents, cron="35 2 * * *", lock=names.LOGBOOK_PURGE_LOCK),
)

# How long a failed attempt waits before the next: 10 s, 20 s, 40 s, … (procrastinate's exponential wait).
RETRY_BASE_SECONDS = 10
