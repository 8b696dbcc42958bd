"""What needs doing in a store: each workspace part contributes items; the dashboard (and the digest) list them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


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
