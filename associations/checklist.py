"""A new association's getting-started checklist. Each item is read from what exists, so it ticks itself: nobody
marks anything done by hand, and an item that stops being true (the last region merged away) unticks."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import AssociationSubscription, DuesPlan, Invitation, Membership, Region, Role, Store, StripeAccount
from models.registry import Association


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    label: str
    hint: str
    done: bool
    endpoint: str  # the admin portal page where it is done


# Loupe subscription statuses that count as "a plan is chosen" (billing.platform.LIVE, kept literal: layers).
_SUBSCRIBED = ("trialing", "active", "past_due", "unpaid", "paused", "incomplete")


def getting_started(session: Session, association: Association, *, plans_offered: bool = False) -> list[ChecklistItem]:
    """The steps of a new association, each done or not from the rows it needs (one query); choosing a Loupe plan
    comes first when the platform bills associations (`plans_offered`)."""
    aid = association.id

    def exists(statement: sa.Select) -> sa.Exists:
        return statement.exists()

    subscribed, regions, stores, liaisons, invited_liaisons, stripe, plans = session.execute(
        sa.select(
            exists(
                sa.select(AssociationSubscription.id).where(
                    AssociationSubscription.association_id == aid, AssociationSubscription.status.in_(_SUBSCRIBED)
                )
            ),
            exists(sa.select(Region.id).where(Region.association_id == aid)),
            exists(sa.select(Store.id).where(Store.association_id == aid)),
            exists(
                sa.select(Membership.id).where(
                    Membership.association_id == aid, Membership.role == Role.POLICE_LIAISON.value
                )
            ),
            exists(
                sa.select(Invitation.id).where(
                    Invitation.association_id == aid,
                    Invitation.role == Role.POLICE_LIAISON.value,
                    Invitation.accepted_at.is_(None),
                )
            ),
            exists(sa.select(StripeAccount.id).where(StripeAccount.association_id == aid)),
            exists(sa.select(DuesPlan.id).where(DuesPlan.association_id == aid, DuesPlan.active.is_(True))),
        )
    ).one()
    plan = ChecklistItem(
        "plan", "Choose your Loupe plan", "Loupe is billed per member store.", subscribed, "platform_billing.index"
    )
    return [
        *([plan] if plans_offered else []),
        ChecklistItem(
            "regions",
            "Add your regions",
            "Stores, bulletins and digests are organised by region.",
            regions,
            "admin.regions",
        ),
        ChecklistItem(
            "stores",
            "Invite your first member stores, or import them from a CSV file",
            "Each store gets its own private space.",
            stores,
            "admin.members",
        ),
        ChecklistItem(
            "liaisons",
            "Invite your police liaisons",
            "They read anonymized bulletins and the stores' shared incidents.",
            liaisons or invited_liaisons,
            "admin.people",
        ),
        ChecklistItem(
            "dues",
            "Set up dues: connect your Stripe account and add a dues plan",
            "Member stores then pay their dues through Stripe.",
            stripe and plans,
            "admin.billing",
        ),
    ]


def all_done(items: list[ChecklistItem]) -> bool:
    return all(item.done for item in items)
