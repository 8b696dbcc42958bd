"""What needs doing in a store: each workspace part contributes items; the dashboard (and the digest) list them.

A part that can need action defines `attention_items(session, *, today)`; the parts are listed once, in the app
factory (`app._list_attention_providers`, kept in `app.extensions["attention_providers"]`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class AttentionItem:
    """One thing a store should act on, e.g. a police contact nobody reached in 60 days.

    `endpoint` and `values` build the link (url_for(endpoint, store_slug=..., **values)).
    """

    kind: str  # "contact_quiet", "plan_review_due", "patrol_pending", "share_unreviewed", ...
    title: str
    detail: str
    endpoint: str
    values: dict[str, Any] = field(default_factory=dict)
    severity: str = "normal"  # "normal" | "high"
    # Items about things staff may not open (the owner's home watch, editing plans) are for owners/managers only.
    managers_only: bool = False


SEVERITY_ORDER = {"high": 0, "normal": 1}


def collect(
    providers: Iterable[Callable[..., list[AttentionItem]]], session: Session, *, today: date, manager: bool = True
):
    """Every provider's items the person may act on, the urgent ones first (stable within a severity)."""
    items: list[AttentionItem] = []
    for provider in providers:
        items.extend(item for item in provider(session, today=today) if manager or not item.managers_only)
    return sorted(items, key=lambda item: SEVERITY_ORDER.get(item.severity, 1))
