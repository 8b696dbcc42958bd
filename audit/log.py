"""The audit log as this association's admins see it: only entries of this association, filtered, paged, exported."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Session

import audit
from audit import Actor
from audit.wording import describe
from models import Association, AuditEntry, Store, User
from security.csv_cells import formula_safe

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000


@dataclass(frozen=True)
class AuditFilter:
    person: str | None = None
    store_slug: str | None = None
    action: str | None = None
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class AuditPage:
    entries: list[tuple[AuditEntry, str | None, str]]  # the entry, its store's web address, the entry in words
    page: int
    has_next: bool
    unknown_store: bool


def _query(session: Session, association: Association, filters: AuditFilter):
    zone = ZoneInfo(association.timezone)
    query = (
        sa.select(AuditEntry, Store.slug)
        .outerjoin(Store, Store.id == AuditEntry.store_id)
        .where(AuditEntry.association_id == association.id)
    )
    unknown_store = False
    if filters.person:
        query = query.where(AuditEntry.actor_email.ilike(f"%{_like(filters.person.strip().lower())}%", escape="\\"))
    if filters.store_slug:
        store_id = session.scalar(
            sa.select(Store.id).where(Store.slug == filters.store_slug.strip(), Store.association_id == association.id)
        )
        unknown_store = store_id is None
        query = query.where(AuditEntry.store_id == (store_id or -1))
    if filters.action:
        query = query.where(AuditEntry.action.like(f"{_like(filters.action.strip())}%", escape="\\"))
    if filters.since:
        query = query.where(AuditEntry.at >= datetime.combine(filters.since, time.min, zone))
    if filters.until:
        query = query.where(AuditEntry.at < datetime.combine(filters.until + timedelta(days=1), time.min, zone))
    return query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()), unknown_store


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def audit_page(session: Session, association: Association, filters: AuditFilter, page: int = 1) -> AuditPage:
    page = max(1, min(page, 100_000))
    query, unknown_store = _query(session, association, filters)
    # The actor's current name (the entry keeps the email it was written with) for the sentence.
    query = query.add_columns(User.name).outerjoin(User, User.id == AuditEntry.actor_user_id)
    rows = session.execute(query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)).all()
    return AuditPage(
        entries=[(e, slug, describe(e.action, name, e.actor_email)) for e, slug, name in rows[:PAGE_SIZE]],
        page=page,
        has_next=len(rows) > PAGE_SIZE,
        unknown_store=unknown_store,
    )


def action_names(session: Session, association: Association) -> list[str]:
    return list(
        session.scalars(
            sa.select(AuditEntry.action)
            .where(AuditEntry.association_id == association.id)
            .distinct()
            .order_by(AuditEntry.action)
        )
    )


def export_csv(session: Session, association: Association, filters: AuditFilter, *, actor: Actor) -> str:
    """The filtered entries as CSV text (times in the association's zone); the export is itself audited."""
    zone = ZoneInfo(association.timezone)
    query, _unknown = _query(session, association, filters)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["time", "action", "outcome", "person", "store", "target", "address", "details"])
    count = 0
    for entry, slug in session.execute(query.limit(EXPORT_LIMIT)):
        details = "; ".join(f"{k}={v}" for k, v in sorted((entry.details or {}).items()))
        writer.writerow(
            formula_safe(v)
            for v in (
                entry.at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S %Z"),
                entry.action,
                entry.outcome,
                entry.actor_email,
                slug or (entry.store_id or ""),
                entry.target,
                entry.ip,
                details,
            )
        )
        count += 1
    audit.record(
        session,
        "audit.export",
        actor=actor,
        association_id=association.id,
        details={"rows": count, **{k: str(v) for k, v in vars(filters).items() if v}},
    )
    return out.getvalue()
