"""A new store's getting-started checklist. Each step is read from what exists (one query), so it ticks itself and
unticks when it stops being true (the last contact with an email deleted); the dashboard hides it once all are done.

The police contact with an email address comes first: casing alerts, patrol requests, meeting invitations and
logbook reviews all reach the police by email, so nothing else works before it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from database.bundle import Query, fetch_one
from i18n import _l
from models import Invitation, Membership, PoliceContact, Store
from models.store.briefing import SecurityBriefing
from models.store.plans import EmergencyPlan
from models.store.profile import StoreProfile


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    hint: str
    done: bool
    endpoint: str  # the store page where it is done (url_for(endpoint, store_slug=...))
    anchor: str = ""


@functools.cache
def _checklist_query() -> sa.Select:
    # Built once: the dashboard of owners and managers reads it on every visit (in its one round trip).
    return sa.select(
        sa.select(PoliceContact.id).where(PoliceContact.email != "").exists(),
        sa.select(StoreProfile.id).where(StoreProfile.street_address != "").exists(),
        sa.select(SecurityBriefing.id).exists(),
        sa.select(EmergencyPlan.id).exists(),
        sa.or_(
            # More than the owner alone, or someone invited and not yet arrived.
            sa.select(sa.func.count(Membership.id))
            .where(Membership.store_id == sa.bindparam("store_id"))
            .scalar_subquery()
            > 1,
            sa.select(Invitation.id)
            .where(
                Invitation.store_id == sa.bindparam("store_id"),
                Invitation.accepted_at.is_(None),
                Invitation.expires_at > sa.bindparam("now"),
            )
            .exists(),
        ).label("people"),
    )


def checklist_query(store: Store) -> Query:
    """The checklist as a query of a bundle (`database.bundle`); `checklist_from` reads its rows."""
    return Query(_checklist_query(), {"store_id": store.id, "now": datetime.now(UTC)})


def checklist(session: Session, store: Store) -> list[Step]:
    """The steps in the order to do them, each done or not from the store's own rows."""
    return checklist_from(fetch_one(session, checklist_query(store)))


def checklist_from(rows: list[tuple]) -> list[Step]:
    """The steps from `checklist_query`'s rows."""
    contact, profile, briefing, plan, people = rows[0]
    return [
        Step(
            "contact",
            str(_l("Add a police contact with an email address")),
            str(_l("Do this first: casing alerts, patrol requests and logbook reviews reach the police by email.")),
            bool(contact),
            "store.new_contact",
        ),
        Step(
            "profile",
            str(_l("Fill in the store profile")),
            str(_l("Your address and opening hours, for the police and for the alerts you send.")),
            bool(profile),
            "store.profile",
        ),
        Step(
            "briefing",
            str(_l("Write the security briefing")),
            str(_l("Alarm, cameras, opening and closing: what an officer needs to know before coming.")),
            bool(briefing),
            "briefing.edit",
        ),
        Step(
            "plan",
            str(_l("Write an emergency plan")),
            str(_l("What staff do during and after a robbery; start from the template.")),
            bool(plan),
            "plans.index",
        ),
        Step(
            "people",
            str(_l("Invite your staff")),
            str(_l("Everyone at the counter can then report casing from their phone.")),
            bool(people),
            "people.index",
            "invite",
        ),
    ]
