"""API tokens: what lets a program outside Loupe use the JSON API (`/api/v1/`) for one store or one association.

Only a SHA-256 digest of the token's secret part is stored (the token is shown once, when it is made); the public
`prefix` finds the row, and the digest is compared in constant time (`apitokens.tokens.authenticate`). A token
belongs to exactly one store (made by its owner or a manager), to one association (made by an admin), or to one
police liaison membership (the liaison's own, for reading what their pages show).
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from models.base import SharedBase


class ApiToken(SharedBase):
    __tablename__ = "api_tokens"
    __table_args__ = (
        # A store token still names its association (so the association's list and cascade find it).
        sa.CheckConstraint("store_id IS NULL OR association_id IS NOT NULL", name="store_in_association"),
        sa.CheckConstraint("cardinality(scopes) > 0", name="has_scopes"),
        sa.CheckConstraint("liaison_membership_id IS NULL OR store_id IS NULL", name="liaison_not_store"),
    )

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    prefix: Mapped[str] = mapped_column(sa.String(16), unique=True)
    secret_sha256: Mapped[str] = mapped_column(sa.String(64))
    name: Mapped[str] = mapped_column(sa.String(100))
    association_id: Mapped[int] = mapped_column(sa.ForeignKey("associations.id", ondelete="CASCADE"), index=True)
    store_id: Mapped[int | None] = mapped_column(sa.ForeignKey("stores.id", ondelete="CASCADE"), index=True)
    # A police liaison's personal token hangs on their liaison membership: it reads what their pages show, and
    # goes with the membership when it ends.
    liaison_membership_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("memberships.id", ondelete="CASCADE"), index=True
    )
    scopes: Mapped[list[str]] = mapped_column(ARRAY(sa.String(40)))
    created_by_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    @property
    def is_store_token(self) -> bool:
        return self.store_id is not None

    @property
    def is_liaison_token(self) -> bool:
        return self.liaison_membership_id is not None

    @property
    def kind(self) -> str:
        """ "store", "liaison" or "association"."""
        return "store" if self.is_store_token else "liaison" if self.is_liaison_token else "association"
