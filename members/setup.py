"""A new member store's set-up progress, as the association sees it: four steps read from the registry only.

1. its workspace (schema) is ready; 2. its owner is invited (or has already joined); 3. its owner has signed in
once; 4. it has added a police contact (`stores.police_contact_added_at`, noted when the store saves its first one:
the association learns when, never who). Nothing here reads a store's schema.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import Invitation, Membership, Role, Store, User
from models.registry import StoreStatus


@dataclass(frozen=True)
class SetupProgress:
    schema_ready: bool
    owner_invited: bool
    owner_signed_in: bool
    police_contact_added: bool

    @property
    def done(self) -> int:
        """How many of the four steps are done."""
        return sum((self.schema_ready, self.owner_invited, self.owner_signed_in, self.police_contact_added))

    @property
    def complete(self) -> bool:
        return self.done == 4


STEPS = 4


def setup_progress(session: Session, stores: list[Store]) -> dict[int, SetupProgress]:
    """The progress of each store given (two queries, whatever their number), by store id."""
    ids = [s.id for s in stores]
    if not ids:
        return {}
    invited = set(
        session.scalars(
            sa.select(Invitation.store_id)
            .where(Invitation.store_id.in_(ids), Invitation.role == Role.STORE_OWNER.value)
            .distinct()
        )
    )
    owners = dict(
        session.execute(
            sa.select(Membership.store_id, sa.func.bool_or(User.last_sign_in_at.is_not(None)))
            .join(User, User.id == Membership.user_id)
            .where(Membership.store_id.in_(ids), Membership.role == Role.STORE_OWNER.value)
            .group_by(Membership.store_id)
        ).all()
    )
    return {
        s.id: SetupProgress(
            schema_ready=s.status in (StoreStatus.READY, StoreStatus.SUSPENDED) and bool(s.schema_name),
            owner_invited=s.id in invited or s.id in owners,
            owner_signed_in=bool(owners.get(s.id)),
            police_contact_added=s.police_contact_added_at is not None,
        )
        for s in stores
    }
