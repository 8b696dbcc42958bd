"""Sending digest deliveries: claim one row with `FOR UPDATE SKIP LOCKED`, render it, hand it to SMTP, mark it.

One transaction per message, holding the row lock while the SMTP server takes the message: any number of
senders (processes, machines) can run side by side without sending a row twice, and a sender killed mid-run
leaves at most the message in flight unmarked; it is sent again by the next run with the same Message-ID.
SMTP refusing or down: the row is retried with backoff (`mail.outbox.backoff`), then `failed` with the reason.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from blueprints.store.attention import collect, providers_of
from blueprints.store.times import local_today, store_zone
from digest.content import for_reader
from digest.render import OwnStore, render_digest
from mail.outbox import MAX_ATTEMPTS, backoff
from mail.smtp import SmtpConnection, SmtpSettings, build_message
from models import AlertPreference, Bulletin, DigestDelivery, DigestRun, Membership, Role, Store, StoreStatus, User
from models.base import utcnow
from tenants.binding import store_session

log = logging.getLogger(__name__)
MANAGERS = (Role.STORE_OWNER.value, Role.STORE_MANAGER.value)
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
    """What a sender re-reads rarely: runs, each run's live bulletins, each store's open items (LRU)."""

    def __init__(self) -> None:
        self.runs: dict[int, DigestRun] = {}
        self.live: dict[int, tuple[float, set[int]]] = {}
        self.stores: OrderedDict[tuple[int, bool], list] = OrderedDict()


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


def _own_items(engine: Engine, caches: _Caches, store: Store, manager: bool) -> list:
    """The store's open items, read in its own schema (a session bound to it alone)."""
    key = (store.id, manager)
    if key in caches.stores:
        caches.stores.move_to_end(key)
        return caches.stores[key]
    providers = providers_of(b.import_name for b in current_app.blueprints.values())
    with store_session(engine, store.schema_name) as session:
        items = collect(providers, session, today=local_today(store_zone(store)), manager=manager)
        session.rollback()
    caches.stores[key] = items
    if len(caches.stores) > _STORE_CACHE:
        caches.stores.popitem(last=False)
    return items


def _reader_stores(session: Session, user_id: int, run: DigestRun) -> list[tuple[Store, str]]:
    return list(
        session.execute(
            sa.select(Store, Membership.role)
            .join(Membership, Membership.store_id == Store.id)
            .where(
                Membership.user_id == user_id,
                Store.region_id == run.region_id,
                Store.association_id == run.association_id,
                Store.status == StoreStatus.READY.value,
            )
            .order_by(Store.name)
        )
    )


def _skip_reason(user: User, pref: AlertPreference | None, run: DigestRun, stores: list) -> str | None:
    if not user.is_active:
        return "the account was deactivated before sending"
    if not stores:
        return "no longer a member of a store in this region"
    if pref is not None:
        if pref.digest_frequency == "off":
            return "unsubscribed before sending"
        if run.region_id in (pref.digest_muted_region_ids or []):
            return "stopped following this region before sending"
    return None


def _message(engine, session, caches, settings, delivery: DigestDelivery, run: DigestRun, user, pref, stores):
    content = for_reader(
        run.content,
        incident_types=pref.digest_incident_types if pref else None,
        live_ids=_live_ids(session, caches, run),
    )
    own = [OwnStore(store, _own_items(engine, caches, store, role in MANAGERS)) for store, role in stores]
    email, headers = render_digest(content, user=user, stores=own)
    return build_message(
        settings,
        to=user.email,
        subject=email.subject,
        text=email.text,
        html=email.html,
        message_id=delivery.message_id,
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


def deliver(
    engine: Engine,
    settings: SmtpSettings,
    *,
    run_ids: Sequence[int] | None = None,
    limit: int | None = None,
    progress: Callable[[SendCounts], None] | None = None,
) -> SendCounts:
    """Send due deliveries (of `run_ids` when given) until none is left or `limit` were handled.

    `engine` is the app role's engine; every store part is read in a session bound to that store alone.
    """
    counts = SendCounts()
    caches = _Caches()
    with SmtpConnection(settings) as smtp:
        while limit is None or counts.handled < limit:
            with engine.connect() as conn, conn.begin(), Session(bind=conn, expire_on_commit=False) as session:
                query = (
                    sa.select(DigestDelivery)
                    .where(DigestDelivery.status == "pending", DigestDelivery.next_attempt_at <= sa.func.now())
                    .order_by(DigestDelivery.next_attempt_at, DigestDelivery.id)
                    .limit(1)
                    .with_for_update(skip_locked=True)
                )
                if run_ids is not None:
                    query = query.where(DigestDelivery.run_id.in_(run_ids))
                delivery = session.scalar(query)
                if delivery is None:
                    break
                run = _run(session, caches, delivery.run_id)
                user = session.get(User, delivery.user_id)
                pref = session.get(AlertPreference, delivery.user_id)
                stores = _reader_stores(session, delivery.user_id, run)
                reason = _skip_reason(user, pref, run, stores)
                if reason is not None:
                    delivery.status, delivery.last_error = "skipped", reason
                    counts.skipped += 1
                else:
                    try:
                        smtp.send(_message(engine, session, caches, settings, delivery, run, user, pref, stores))
                    except Exception as exc:  # refused, down, timed out, or a rendering fault: retry, lose nothing
                        delivery.attempts += 1
                        delivery.last_error = f"{type(exc).__name__}: {exc}"[:1000]
                        if delivery.attempts >= MAX_ATTEMPTS:
                            delivery.status = "failed"
                            counts.failed += 1
                        else:
                            delivery.next_attempt_at = utcnow() + backoff(delivery.attempts)
                            counts.retry += 1
                        if len(counts.errors) < 20:
                            counts.errors.append(delivery.last_error)
                        log.warning("digest delivery %s not sent: %s", delivery.id, delivery.last_error)
                    else:
                        delivery.status, delivery.sent_at = "sent", utcnow()
                        delivery.attempts += 1
                        counts.sent += 1
                session.flush()
            if progress is not None:
                progress(counts)
    return counts
