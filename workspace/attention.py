"""What needs doing in a store: each workspace part contributes items; the dashboard (and the digest) list them.

A part that can need action defines `attention_queries(*, today, now)` (the SELECTs its items come from) and
`attention_from(results, *, today, now)` (the items from those rows); `collect` runs every part's queries in one
round trip (`database.bundle`). The parts are listed once, in the app factory (`app._list_attention_providers`,
kept in `app.extensions["attention_providers"]`). Each part also keeps `attention_items(session, *, today)` for
callers that want its items alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Protocol

from sqlalchemy.orm import Session

from database.bundle import Query, fetch


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


class Provider(Protocol):
    """A workspace part that can need attention (a module with these two functions)."""

    def attention_queries(self, *, today: date, now: datetime) -> list[Query]: ...

    def attention_from(self, results: list[list[tuple]], *, today: date, now: datetime) -> list[AttentionItem]: ...


def collect(
    providers: Iterable[Provider], session: Session, *, today: date, manager: bool = True, now: datetime | None = None
) -> list[AttentionItem]:
    """Every provider's items the person may act on, the urgent ones first (stable within a severity).

    All the providers' queries go to PostgreSQL as one statement.
    """
    return collect_with(providers, session, today=today, manager=manager, now=now)[0]


def collect_with(
    providers: Iterable[Provider],
    session: Session,
    *,
    today: date,
    manager: bool = True,
    now: datetime | None = None,
    also: Sequence[Query] = (),
) -> tuple[list[AttentionItem], list[list[tuple]]]:
    """`collect`, with the page's other queries (`also`) in the same round trip: the items and `also`'s rows."""
    now = now or datetime.now(UTC)
    providers = list(providers)
    planned = [provider.attention_queries(today=today, now=now) for provider in providers]
    results = fetch(session, [*also, *(query for queries in planned for query in queries)])
    extra, results = results[: len(also)], results[len(also) :]
    items: list[AttentionItem] = []
    at = 0
    for provider, queries in zip(providers, planned, strict=True):
        found = provider.attention_from(results[at : at + len(queries)], today=today, now=now)
        at += len(queries)
        items.extend(item for item in found if manager or not item.managers_only)
    return sorted(items, key=lambda item: SEVERITY_ORDER.get(item.severity, 1)), extra
