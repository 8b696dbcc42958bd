"""The append-only audit log of security-relevant actions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from models.base import SharedBase


class AuditEntry(SharedBase):
    """One security-relevant action. The app role may insert and read, never update or delete."""

    __tablename__ = "audit_log"
    __table_args__ = (sa.Index("ix_audit_log_association_at", "association_id", "at"),)

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    at: Mapped[datetime] = mapped_column(server_default=sa.func.now())
    action: Mapped[str] = mapped_column(sa.String(64), index=True)
    outcome: Mapped[str] = mapped_column(sa.String(16), server_default="ok")
    # No foreign keys: entries outlive the people and stores they mention.
    actor_user_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    actor_email: Mapped[str | None] = mapped_column(sa.String(254))
    association_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    store_id: Mapped[int | None] = mapped_column(sa.BigInteger, index=True)
    target: Mapped[str | None] = mapped_column(sa.String(300))
    ip: Mapped[str | None] = mapped_column(sa.String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=sa.text("'{}'::jsonb"))
