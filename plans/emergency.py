"""Emergency plan domain functions. The Session passed in is already bound to the store's schema.

Staff may read the plans (they are the ones who must follow them); owners and managers write them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from database.bundle import Query, fetch
from errors import DomainError, NotFound
from i18n import _, format_local
from models import EmergencyPlan, Membership, PoliceContact, Store, User
from models.base import utcnow
from models.store.plans import PLAN_KIND_LABELS, PLAN_KINDS, PlanAcknowledgement
from plans.starters import STARTERS, Starter
from workspace.attention import AttentionItem
from workspace.times import local_today, store_zone


class PlanAgreementIncomplete(DomainError):
    """ "Agreed with police" needs both with whom and when."""


@dataclass(frozen=True)
class PlanStatus:
    """One kind of emergency on the list: its plan (or None when missing) and whether its review is overdue."""

    kind: str
    label: str
    plan: EmergencyPlan | None
    overdue: bool

    @property
    def missing(self) -> bool:
        return self.plan is None


def store_today(store: Store) -> date:
    """Today in the store's time zone (review dates are calendar dates there)."""
    return local_today(store_zone(store))


def check_kind(kind: str) -> str:
    if kind not in PLAN_KIND_LABELS:
        raise NotFound(_("There is no such kind of emergency plan."))
    return kind


@functools.cache
def _plans_query(with_contacts: bool) -> sa.Select:
    # Built once per variant: the dashboard runs it on every visit (and needs no contacts: one query, not two).
    query = sa.select(EmergencyPlan)
    return query.options(selectinload(EmergencyPlan.agreed_contact)) if with_contacts else query


def plan_overview(session: Session, *, today: date, with_contacts: bool = True) -> list[PlanStatus]:
    """Every kind of emergency, in order, with its plan or a gap, and whether it is past review.

    `with_contacts=False` leaves each plan's agreed contact unloaded (for callers that only look at dates)."""
    return _overview({p.kind: p for p in session.scalars(_plans_query(with_contacts))}, today)


def _overview(plans: dict, today: date) -> list[PlanStatus]:
    return [
        PlanStatus(kind, label, plans.get(kind), kind in plans and plans[kind].review_due_on < today)
        for kind, label in PLAN_KINDS
    ]


def find_plan(session: Session, kind: str) -> EmergencyPlan | None:
    return session.scalar(sa.select(EmergencyPlan).where(EmergencyPlan.kind == check_kind(kind)))


def get_plan(session: Session, kind: str) -> EmergencyPlan:
    plan = find_plan(session, kind)
    if plan is None:
        raise NotFound(_("This store has no plan of that kind yet."))
    return plan


def save_plan(session: Session, kind: str, data: dict[str, Any]) -> EmergencyPlan:
    """Create or update the store's plan of this kind from validated form data.

    `agreed_contact_id` must be one of this store's police contacts (the Session is bound to the store, so an id
    from elsewhere is simply not found); with `agreed_with_name` as free text instead, and `agreed_on`, both or none.
    """
    plan = find_plan(session, kind) or EmergencyPlan(kind=kind)
    contact_id = data.get("agreed_contact_id") or None
    name = (data.get("agreed_with_name") or "").strip()
    agreed_on = data.get("agreed_on")
    if contact_id is not None and session.get(PoliceContact, int(contact_id)) is None:
        raise NotFound(_("No such police contact in this store."))
    if bool(contact_id is not None or name) != (agreed_on is not None):
        raise PlanAgreementIncomplete(_("Say both with whom the plan was agreed and when, or neither."))
    plan.steps = (data.get("steps") or "").strip()
    plan.call_tree = (data.get("call_tree") or "").strip()
    plan.review_due_on = data["review_due_on"]
    plan.agreed_contact_id = int(contact_id) if contact_id is not None else None
    plan.agreed_with_name = "" if contact_id is not None else name
    plan.agreed_on = agreed_on
    session.add(plan)
    session.flush()
    session.refresh(plan, ["agreed_contact"])
    return plan


def starter(kind: str) -> Starter:
    """The starter text of a kind of plan (every kind has one), to adapt before saving."""
    return STARTERS[check_kind(kind)]


def acknowledge(session: Session, plan: EmergencyPlan, *, user_id: int, user_name: str) -> PlanAcknowledgement:
    """Record that this person read the plan as it is now (again after an edit: the row keeps the latest)."""
    ack = session.scalar(
        sa.select(PlanAcknowledgement).where(
            PlanAcknowledgement.plan_id == plan.id, PlanAcknowledgement.user_id == user_id
        )
    )
    if ack is None:
        ack = PlanAcknowledgement(plan_id=plan.id, user_id=user_id)
        session.add(ack)
    ack.user_name = user_name[:200]
    ack.plan_version = plan.updated_at
    ack.acknowledged_at = utcnow()
    session.flush()
    return ack


@dataclass(frozen=True)
class Reader:
    """One member of the store and whether they acknowledged the plan as it is now."""

    name: str
    role: str
    acknowledged_at: object | None  # datetime
    current: bool


def my_acknowledgement(session: Session, plan: EmergencyPlan, user_id: int) -> PlanAcknowledgement | None:
    return session.scalar(
        sa.select(PlanAcknowledgement).where(
            PlanAcknowledgement.plan_id == plan.id, PlanAcknowledgement.user_id == user_id
        )
    )


def readers(session: Session, store: Store, plan: EmergencyPlan) -> list[Reader]:
    """Every member of the store (from its memberships) with their acknowledgement of this plan, for the owner:
    who has read it as it is now, who read an earlier version, who has not."""
    acks = {
        a.user_id: a
        for a in session.scalars(sa.select(PlanAcknowledgement).where(PlanAcknowledgement.plan_id == plan.id))
    }
    people = session.execute(
        sa.select(User.id, User.name, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.store_id == store.id, User.is_active.is_(True))
        .order_by(User.name, User.id)
    ).all()
    out = []
    for user_id, name, role in people:
        ack = acks.get(user_id)
        out.append(
            Reader(
                name,
                role,
                ack.acknowledged_at if ack else None,
                ack is not None and ack.plan_version >= plan.updated_at,
            )
        )
    return out


def lines(text: str) -> list[str]:
    """The non-blank lines of a steps or call-tree field, for numbered display."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def attention_queries(*, today: date, now: datetime) -> list[Query]:
    """What the plan items are built from (the dashboard runs every part's queries in one round trip)."""
    return [Query(_plans_query(False))]


def attention_items(session: Session, *, today: date) -> list[AttentionItem]:
    """Plans past their review date (high), and a missing robbery plan (normal)."""
    now = utcnow()
    return attention_from(fetch(session, attention_queries(today=today, now=now)), today=today, now=now)


def attention_from(results: list[list[tuple]], *, today: date, now: datetime) -> list[AttentionItem]:
    """The items from `attention_queries`' rows."""
    items = []
    overview = _overview({plan.kind: plan for (plan,) in results[0]}, today)
    for status in overview:
        if status.overdue:
            items.append(
                AttentionItem(
                    kind="plan_review_due",
                    title=_("%(plan)s plan is past its review date", plan=status.label),
                    detail=_(
                        "Review was due on %(date)s. Walk through it with your team.",
                        date=format_local(status.plan.review_due_on, "%-d %B %Y"),
                    ),
                    endpoint="plans.show",
                    values={"kind": status.kind},
                    severity="high",
                )
            )
    robbery = next(s for s in overview if s.kind == "robbery")
    if robbery.missing:
        items.append(
            AttentionItem(
                kind="plan_missing",
                title=_("No robbery response plan"),
                detail=_("Write down what staff do during and after a robbery, and agree it with your police contact."),
                endpoint="plans.edit",
                values={"kind": "robbery"},
                severity="normal",
                managers_only=True,  # staff cannot edit plans
            )
        )
    return items
