"""What needs doing in a store: each workspace part contributes items; the dashboard (and the digest) list them."""

from __future__ import annotations

import functools
import importlib
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


def providers_of(blueprint_import_names: Iterable[str]) -> list[Callable[..., list[AttentionItem]]]:
    """The `attention_items` functions of the registered workspace parts (see `_providers`); found once per
    set of blueprints, not on every dashboard visit."""
    return list(_providers(tuple(blueprint_import_names)))


@functools.cache
def _providers(blueprint_import_names: tuple[str, ...]) -> tuple[Callable[..., list[AttentionItem]], ...]:
    """The `attention_items` functions of the workspace parts registered on the app.

    A part is a package `blueprints/<part>/` whose `services` module may define `attention_items`; parts that
    need no attention simply do not define it. Found from the registered blueprints, so a new part shows up on
    the dashboard without editing this file.
    """
    found: list[Callable[..., list[AttentionItem]]] = []
    seen: set[str] = set()
    for import_name in blueprint_import_names:
        package = import_name.rsplit(".", 1)[0] if import_name.endswith(".views") else import_name
        if not package.startswith("blueprints.") or package in seen:
            continue
        seen.add(package)
        try:
            services = importlib.import_module(f"{package}.services")
        except ModuleNotFoundError as exc:
            if exc.name != f"{package}.services":
                raise
            continue
        provider = getattr(services, "attention_items", None)
        if callable(provider):
            found.append(provider)
    return tuple(found)
