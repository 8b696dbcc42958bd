"""The industry's red flags of casing (Jewelers' Security Alliance's list): the one home of their codes and labels.

A casing report ticks the ones seen as one-tap chips; they are stored as codes on the incident (`Incident.red_flags`),
go as codes into a shared bulletin (a code identifies no one: it is one of ten fixed behaviours), describe the
patterns found across stores (`alerts.patterns`) and are counted per region in the weekly trends (`trends.closing`).
Code elsewhere (the anonymizer, trends) handles them as opaque codes; words are looked up here, in the reader's
language, where they are shown.

Codes are stored: never rename one. A new flag is a new code at the end.
"""

from __future__ import annotations

from collections.abc import Iterable

from errors import DomainError
from i18n import _l

RED_FLAGS: dict[str, object] = {
    "on_phone": _l("On the phone the whole time"),
    "sunglasses": _l("Sunglasses"),
    "hat_hood_low": _l("Hat or hood pulled low"),
    "wrong_season": _l("Clothing wrong for the season"),
    "group_of_three": _l("A group of three or more"),
    "items_on_showcase": _l("Bulky items or coats laid on the showcase"),
    "security_questions": _l("Questions about security, hours or schedules"),
    "most_expensive": _l("Asked for the most expensive piece"),
    "hand_signals": _l("Hand signals"),
    "wandering": _l("Wandering the store"),
}
CODES: tuple[str, ...] = tuple(RED_FLAGS)


class UnknownRedFlag(DomainError):
    """A red-flag code that is not on the list (a tampered or stale form): the request is refused."""


def validated(codes: Iterable[str]) -> list[str]:
    """The codes in the list's order, each once; raise `UnknownRedFlag` for any code not on the list."""
    given = [str(code) for code in codes]
    unknown = sorted({code for code in given if code not in RED_FLAGS})
    if unknown:
        raise UnknownRedFlag(_l("Choose red flags from the list."))
    return [code for code in CODES if code in given]


def known(codes: Iterable[str] | None) -> list[str]:
    """The known codes among `codes`, in the list's order (for reading shared rows: an unknown code is skipped)."""
    given = set(codes or ())
    return [code for code in CODES if code in given]


def label(code: str) -> str:
    """The words for a code in the current language (the code itself when it is not on the list)."""
    text = RED_FLAGS.get(code)
    return str(text) if text is not None else code


def labels(codes: Iterable[str] | None) -> list[str]:
    """The words for the known codes, in the list's order."""
    return [label(code) for code in known(codes)]
