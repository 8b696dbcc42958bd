"""The operator console's figures: per association (stores, active people, shares and bulletins, digest mail) and
for the platform (store schemas per revision, failed builds, the warm pool's level). Reads only; a fixed number of
queries whatever the number of associations (each figure is one grouped query over the listed associations)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from associations.onboarding import AssociationRow
from models import Association, AuthSession, Bulletin, DigestDelivery, DigestRun, Membership, Store, StoreStatus
from models.base import utcnow

WEEK = timedelta(days=7)
MONTH = timedelta(days=30)


@dataclass
class Activity:
    """One association's last days. People are counted once whatever their number of roles there."""

    active_7: int = 0
    active_30: int = 0
    shares_week: int = 0
    bulletins_week: int = 0
    digests_sent_week: int = 0
    digests_failed_week: int = 0


@dataclass(frozen=True)
class ConsoleRow:
    row: AssociationRow
    activity: Activity


def _grouped(session: Session, statement: sa.Select) -> dict[int, int]:
    return {aid: n for aid, n in session.execute(statement).all()}


def activity(session: Session, association_ids: list[int], *, now: datetime | None = None) -> dict[int, Activity]:
    """The figures of each association in `association_ids`.

    Active people: someone whose signed-in session was used in the window (`auth_sessions.last_seen_at`, moved at
    most once a minute by every signed-in request), with a membership of the association. Shares: bulletins created
    (each share of an incident makes one, pending moderation); bulletins: those published in the week.
    """
    now = now or utcnow()
    result = {aid: Activity() for aid in association_ids}
    if not association_ids:
        return result
    ids = sa.bindparam("ids", association_ids, expanding=True)

    def active(since: datetime) -> sa.Select:
        return (
            sa.select(Membership.association_id, sa.func.count(sa.distinct(Membership.user_id)))
            .join(AuthSession, AuthSession.user_id == Membership.user_id)
            .where(Membership.association_id.in_(ids), AuthSession.last_seen_at >= since)
            .group_by(Membership.association_id)
        )

    figures = {
        "active_7": active(now - WEEK),
        "active_30": active(now - MONTH),
        "shares_week": sa.select(Bulletin.association_id, sa.func.count())
        .where(Bulletin.association_id.in_(ids), Bulletin.created_at >= now - WEEK)
        .group_by(Bulletin.association_id),
        "bulletins_week": sa.select(Bulletin.association_id, sa.func.count())
        .where(Bulletin.association_id.in_(ids), Bulletin.published_at >= now - WEEK)
        .group_by(Bulletin.association_id),
        "digests_sent_week": sa.select(DigestRun.association_id, sa.func.count())
        .join(DigestDelivery, DigestDelivery.run_id == DigestRun.id)
        .where(DigestRun.association_id.in_(ids), DigestDelivery.status == "sent", DigestDelivery.sent_at >= now - WEEK)
        .group_by(DigestRun.association_id),
        "digests_failed_week": sa.select(DigestRun.association_id, sa.func.count())
        .join(DigestDelivery, DigestDelivery.run_id == DigestRun.id)
        .where(
            DigestRun.association_id.in_(ids),
            DigestDelivery.status == "failed",
            DigestDelivery.created_at >= now - WEEK,
        )
        .group_by(DigestRun.association_id),
    }
    for name, statement in figures.items():
        for aid, n in _grouped(session, statement).items():
            setattr(result[aid], name, n)
    return result


def console_rows(session: Session, rows: list[AssociationRow], *, now: datetime | None = None) -> list[ConsoleRow]:
    figures = activity(session, [r.association.id for r in rows], now=now)
    return [ConsoleRow(r, figures[r.association.id]) for r in rows]


@dataclass
class SchemaState:
    """Store schemas per revision (head first), builds that failed, and the warm pool per revision."""

    head: str
    by_revision: list[tuple[str, int]] = field(default_factory=list)
    by_status: dict[str, int] = field(default_factory=dict)
    failed: list[tuple[str, str, str | None]] = field(default_factory=list)  # store slug, association, last error
    pool: list[tuple[str, int]] = field(default_factory=list)

    @property
    def behind_head(self) -> int:
        return sum(n for revision, n in self.by_revision if revision != self.head)

    @property
    def pool_at_head(self) -> int:
        return sum(n for revision, n in self.pool if revision == self.head)


def schema_state(session: Session, *, head: str) -> SchemaState:
    """Where the store schemas stand against the code's head, and how many pre-built ones wait."""
    state = SchemaState(head=head)
    state.by_revision = [
        (revision or "none", n)
        for revision, n in session.execute(
            sa.select(Store.schema_revision, sa.func.count())
            .group_by(Store.schema_revision)
            .order_by(sa.func.count().desc())
        ).all()
    ]
    state.by_status = dict(session.execute(sa.select(Store.status, sa.func.count()).group_by(Store.status)).all())
    state.failed = [
        (slug, name, (error or "")[:300] or None)
        for slug, name, error in session.execute(
            sa.select(Store.slug, Association.name, Store.last_error)
            .join(Association, Association.id == Store.association_id)
            .where(Store.status == StoreStatus.FAILED.value)
            .order_by(Store.id.desc())
            .limit(50)
        ).all()
    ]
    # Owner-run function of revision 0025: the app role has no rights on the pool's registry itself.
    state.pool = [(r, n) for r, n in session.execute(sa.text("SELECT revision, schemas FROM loupe.pool_level()"))]
    return state
