"""The audit log: one function to record a security-relevant action.

Values are stored as structured columns and JSON, never formatted into a line, so a newline in a user-typed
value cannot forge a second entry.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from audit.actor import Actor, ActorKind
from models import AuditEntry

__all__ = ["Actor", "ActorKind", "record"]

_MAX_TARGET = 300


def _clean(value: str | None, limit: int) -> str | None:
    if value is None:
        return None
    # Control characters (newlines included) are escaped so a log line reads as exactly one entry.
    cleaned = "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in str(value))
    return cleaned[:limit]


def record(
    db: Session | Connection,
    action: str,
    *,
    actor: Actor | None = None,
    association_id: int | None = None,
    store_id: int | None = None,
    target: str | None = None,
    outcome: str = "ok",
    details: dict[str, Any] | None = None,
) -> None:
    """Append one entry in the caller's transaction (it is committed, or not, with the action it describes).

    `actor` is who acted (None: nobody to name, e.g. a link refused before anyone could be told apart).
    """
    db.execute(
        sa.insert(AuditEntry).values(
            action=action,
            outcome=outcome,
            actor_user_id=actor.user_id if actor else None,
            actor_email=_clean(actor.email if actor else None, 254),
            association_id=association_id,
            store_id=store_id,
            target=_clean(target, _MAX_TARGET),
            ip=_clean(actor.ip if actor else None, 64),
            details={k: _clean(v, 500) if isinstance(v, str) else v for k, v in (details or {}).items()},
        )
    )
