"""Sending digest deliveries: claim one row with `FOR UPDATE SKIP LOCKED`, render it, hand it to SMTP, mark it.

One transaction per message, holding the row lock while the SMTP server takes the message: any number of
senders (processes, machines) can run side by side without sending a row twice, and a sender killed mid-run
leaves at most the message in flight unmarked; it is sent again by the next run with the same Message-ID.
SMTP refusing or down: the row is retried with backoff (`mail.outbox.after_failure`), then `failed` with the reason.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy import Engine
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session, joinedload

from database.processes import end_with_parent
from digest.content import for_reader
from digest.render import OwnStore, render_digest
from i18n import language_or_default
from mail.outbox import after_failure
from mail.smtp import SmtpConnection, SmtpSettings, build_message
from models import AlertPreference, Bulletin, DigestDelivery, DigestRun, Membership, Store, StoreStatus, User
from models.accounts import MANAGER_ROLES
from tenants.binding import store_session
from workspace.attention import collect
from workspace.times import local_today, store_zone

log = logging.getLogger(__name__)
_LIVE_TTL = 60.0  # seconds a run's list of still-published bulletins is trusted
_STORE_CACHE = 256  # stores' open items kept per sender (bounded: memory stays flat however many recipients)


@dataclass
class SendCounts:
    sent: int = 0
    retry: int = 0
    failed: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def handled(self) -> int:
        return self.sent + self.retry + self.failed + self.skipped


class _Caches:
    """What a sender re-reads rarely: runs, each run's live bulletins, stores and their open items (LRU)."""

    def __init__(self) -> None:
        self.runs: dict[int, DigestRun] = {}
        self.live: dict[int, tuple[float, set[int]]] = {}
        self.stores: OrderedDict[int, tuple[Store, ZoneInfo]] = OrderedDict()
        self.items: OrderedDict[tuple[int, bool], list] = OrderedDict()


def _remember(cache: OrderedDict, key, value, bound: int = _STORE_CACHE):
    cache[key] = value
    if len(cache) > bound:
        cache.popitem(last=False)
    return value


def _run(session: Session, caches: _Caches, run_id: int) -> DigestRun:
    run = caches.runs.get(run_id)
    if run is None:
        run = session.get(DigestRun, run_id)
        session.expunge(run)
        caches.runs[run_id] = run
    return run


def _live_ids(session: Session, caches: _Caches, run: DigestRun) -> set[int]:
    cached = caches.live.get(run.id)
    if cached is not None and time.monotonic() - cached[0] < _LIVE_TTL:
        return cached[1]
    ids = [i["id"] for s in ("patterns", "police", "bulletins") for i in run.content[s]]
    live = set(
        session.scalars(sa.select(Bulletin.id).where(Bulletin.id.in_(ids), Bulletin.status == "published"))
        if ids
        else []
    )
    caches.live[run.id] = (time.monotonic(), live)
    return live


def _store(session: Session, caches: _Caches, store_id: int) -> tuple[Store, ZoneInfo]:
    if store_id in caches.stores:
        caches.stores.move_to_end(store_id)
        return caches.stores[store_id]
    store = session.get(Store, store_id, options=[joinedload(Store.association), joinedload(Store.region)])
    zone = store_zone(store)
    session.expunge(store)
    return _remember(caches.stores, store_id, (store, zone))


def _own_items(engine: Engine, caches: _Caches, store: Store, zone: ZoneInfo, manager: bool) -> list:
    """The store's open items, read in its own schema (a session bound to it alone)."""
    key = (store.id, manager)
    if key in caches.items:
        caches.items.move_to_end(key)
        return caches.items[key]
    providers = current_app.extensions["attention_providers"]
    with store_session(engine, store.schema_name) as session:
        items = collect(providers, session, today=local_today(zone), manager=manager)
        session.rollback()
    return _remember(caches.items, key, items)


def _reader_stores_column():
    """[[store id, role], ...] of the person's ready stores in the run's region, by store name: a column of the
    claim query, so claiming a delivery is one round trip."""
    return (
        sa.select(
            sa.func.coalesce(
                sa.func.json_agg(aggregate_order_by(sa.func.json_build_array(Store.id, Membership.role), Store.name)),
                sa.text("'[]'::json"),
            )
        )
        .select_from(Membership)
        .join(Store, Store.id == Membership.store_id)
        .where(
            Membership.user_id == DigestDelivery.user_id,
            Store.region_id == DigestRun.region_id,
            Store.association_id == DigestRun.association_id,
            Store.status == StoreStatus.READY.value,
        )
        .scalar_subquery()
    )


def _skip_reason(row, run: DigestRun) -> str | None:
    if not row.is_active:
        return "the account was deactivated before sending"
    if not row.stores:
        return "no longer a member of a store in this region"
    if row.digest_frequency == "off":
        return "unsubscribed before sending"
    if run.region_id in (row.digest_muted_region_ids or []):
        return "stopped following this region before sending"
    return None


def _message(engine, session, caches, settings, row, run: DigestRun):
    content = for_reader(
        run.content, incident_types=row.digest_incident_types, live_ids=_live_ids(session, caches, run)
    )
    own = []
    for store_id, role in row.stores:
        store, zone = _store(session, caches, store_id)
        own.append(OwnStore(store, _own_items(engine, caches, store, zone, role in MANAGER_ROLES)))
    email, headers = render_digest(content, user_id=row.user_id, stores=own, language=language_or_default(row.language))
    return build_message(
        settings,
        to=row.email,
        subject=email.subject,
        text=email.text,
        html=email.html,
        message_id=row.message_id,
        extra_headers=headers,
    )


def pending_count(engine: Engine, run_ids: Sequence[int] | None = None) -> int:
    """Deliveries due now (for a progress bar's total)."""
    query = sa.select(sa.func.count()).where(
        DigestDelivery.status == "pending", DigestDelivery.next_attempt_at <= sa.func.now()
    )
    if run_ids is not None:
        query = query.where(DigestDelivery.run_id.in_(run_ids))
    with engine.connect() as conn:
        return conn.scalar(query) or 0


_CLAIM = None


def _claim_query():
    """The due delivery with what its email needs (person, choices, stores) in one round trip; only the delivery
    row is locked, until the transaction ends. Core, not ORM: this runs once per message. Built once."""
    global _CLAIM
    if _CLAIM is None:
        _CLAIM = (
            sa.select(
                DigestDelivery.id,
                DigestDelivery.next_attempt_at,
                DigestDelivery.run_id,
                DigestDelivery.user_id,
                DigestDelivery.message_id,
                DigestDelivery.attempts,
                User.email,
                User.language,
                User.is_active,
                AlertPreference.digest_frequency,
                AlertPreference.digest_muted_region_ids,
                AlertPreference.digest_incident_types,
                _reader_stores_column().label("stores"),
            )
            .join(DigestRun, DigestRun.id == DigestDelivery.run_id)
            .join(User, User.id == DigestDelivery.user_id)
            .outerjoin(AlertPreference, AlertPreference.user_id == DigestDelivery.user_id)
            .where(DigestDelivery.status == "pending", DigestDelivery.next_attempt_at <= sa.func.now())
            .order_by(DigestDelivery.next_attempt_at, DigestDelivery.id)
            .limit(1)
            .with_for_update(skip_locked=True, of=DigestDelivery)
        )
    return _CLAIM


def _deliver_one(conn, engine, caches, settings, smtp, counts: SendCounts, run_ids, after) -> tuple | None:
    """Claim, send and mark one due delivery in one transaction; returns its (next_attempt_at, id), None when none
    is left after `after`.

    `after` is where this sender's previous claim was: rows marked sent leave dead entries at the front of the
    pending index until vacuum, and starting each claim past them keeps a long run from re-reading them (a scan
    that grows with the run). It is only a starting point: the caller starts over from the front when it runs dry.
    """
    with conn.begin(), Session(bind=conn, expire_on_commit=False) as session:
        query = _claim_query()
        if run_ids is not None:
            query = query.where(DigestDelivery.run_id.in_(run_ids))
        if after is not None:
            query = query.where(sa.tuple_(DigestDelivery.next_attempt_at, DigestDelivery.id) > sa.tuple_(*after))
        row = conn.execute(query).first()
        if row is None:
            return None
        run = _run(session, caches, row.run_id)
        mark = sa.update(DigestDelivery).where(DigestDelivery.id == row.id)
        reason = _skip_reason(row, run)
        if reason is not None:
            conn.execute(mark.values(status="skipped", last_error=reason))
            counts.skipped += 1
            return (row.next_attempt_at, row.id)
        try:
            smtp.send(_message(engine, session, caches, settings, row, run))
        except Exception as exc:  # refused, down, timed out, or a rendering fault: retry, lose nothing
            values = after_failure(row.attempts + 1, exc)
            conn.execute(mark.values(**values))
            if values.get("status") == "failed":
                counts.failed += 1
            else:
                counts.retry += 1
            error = values["last_error"]
            if len(counts.errors) < 20:
                counts.errors.append(error)
            log.warning("digest delivery %s not sent: %s", row.id, error)
        else:
            conn.execute(mark.values(status="sent", sent_at=sa.func.now(), attempts=row.attempts + 1))
            counts.sent += 1
    return (row.next_attempt_at, row.id)


def deliver(
    engine: Engine,
    settings: SmtpSettings,
    *,
    run_ids: Sequence[int] | None = None,
    limit: int | None = None,
    progress: Callable[[SendCounts], None] | None = None,
    connection=None,
) -> SendCounts:
    """Send due deliveries (of `run_ids` when given) until none is left or `limit` were handled.

    `engine` is the app role's engine; every store part is read in a session bound to that store alone.
    `connection` replaces the SMTP connection (anything with `send(message)` used as a context manager: the
    development outbox, `mail.dev_outbox.DevOutboxConnection`).
    """
    counts = SendCounts()
    caches = _Caches()
    # One request context for the whole run: every link in every email is built by url_for, which outside a
    # request would set up a context per link.
    smtp_or_outbox = connection if connection is not None else SmtpConnection(settings)
    with current_app.test_request_context("/"), smtp_or_outbox as smtp, engine.connect() as conn:
        # Marking a message sent need not wait for the WAL flush (a disk sync per message): a database server
        # crash could lose the last marks, and those messages would go again with the same Message-ID, which is
        # what a crash of the sender does anyway. Reset before the connection goes back to the pool.
        conn.exec_driver_sql("SET synchronous_commit = off")
        conn.commit()
        try:
            after = None
            while limit is None or counts.handled < limit:
                claimed = _deliver_one(conn, engine, caches, settings, smtp, counts, run_ids, after)
                if claimed is None:
                    if after is None:
                        break
                    after = None  # ran dry past the cursor: look once more from the front (retries, others' skips)
                    continue
                after = claimed
                if progress is not None:
                    progress(counts)
        finally:
            conn.rollback()
            conn.exec_driver_sql("RESET synchronous_commit")
            conn.commit()
    return counts


# Settings a worker process needs to reach the same database and SMTP server as its parent.
_WORKER_SETTINGS = (
    "SECRET_KEY",
    "PUBLIC_BASE_URL",
    "MAIL_SERVER",
    "MAIL_PORT",
    "MAIL_USERNAME",
    "MAIL_PASSWORD",
    "MAIL_USE_TLS",
    "MAIL_FROM",
    "DATABASE_APP_ROLE",
)


def _worker(
    app_factory: Callable[[str, dict], Flask], env_name: str, overrides: dict, run_ids: list[int] | None
) -> SendCounts:
    app = app_factory(env_name, overrides)
    try:
        with app.app_context():
            engine = app.extensions["loupe_db"].engines.app
            return deliver(engine, SmtpSettings.from_config(app.config), run_ids=run_ids)
    finally:
        app.extensions["loupe_db"].dispose()


def deliver_in_workers(
    workers: int,
    *,
    app_factory: Callable[[str, dict], Flask],
    run_ids: Sequence[int] | None = None,
    progress: Callable[[int], None] | None = None,
) -> SendCounts:
    """`deliver` in `workers` processes side by side (rendering and building MIME is CPU-bound Python, so one
    process uses one core); SKIP LOCKED keeps them off each other's rows. `progress` gets the number of due
    deliveries left, twice a second. Call inside an app context; the workers get its database URLs directly.

    Each worker builds its own app with `app_factory(env_name, overrides)` (`app.create_app`, passed in by the
    caller: the digest does not import the application that registers it)."""
    engines = current_app.extensions["loupe_db"].engines
    run_ids = list(run_ids) if run_ids is not None else None
    if workers <= 1:
        return deliver(
            engines.app,
            SmtpSettings.from_config(current_app.config),
            run_ids=run_ids,
            progress=(lambda _c: progress(pending_count(engines.app, run_ids))) if progress else None,
        )
    overrides = {key: current_app.config.get(key) for key in _WORKER_SETTINGS}
    overrides["DATABASE_URL"] = engines.owner.url.render_as_string(hide_password=False)
    overrides["DATABASE_APP_URL"] = engines.app.url.render_as_string(hide_password=False)
    total = SendCounts()
    context = multiprocessing.get_context("spawn")
    # Each sender process exits if this one is killed (a crash mid-run must leave no orphan holding connections).
    with ProcessPoolExecutor(workers, mp_context=context, initializer=end_with_parent, initargs=(os.getpid(),)) as pool:
        futures = [
            pool.submit(_worker, app_factory, current_app.config["ENV_NAME"], overrides, run_ids)
            for _ in range(workers)
        ]
        while not all(f.done() for f in futures):
            if progress is not None:
                progress(pending_count(engines.app, run_ids))
            wait(futures, timeout=0.5)
        for future in futures:
            counts = future.result()
            total.sent += counts.sent
            total.retry += counts.retry
            total.failed += counts.failed
            total.skipped += counts.skipped
            total.errors += counts.errors[: 20 - len(total.errors)]
    if progress is not None:
        progress(pending_count(engines.app, run_ids))
    return total
