"""The industry's red flags of casing (Jewelers' Security Alliance's list): the one home of their codes and labels.

A casing report ticks the ones seen as one-tap chips; they are stored as codes on the incident (`Incident.red_flags`),
go as codes into a shared bulletin (a code identifies no one: it is one of ten fixed behaviours), describe the
patterns found across stores (`alerts.patterns`) and are counted per region in the weekly trends (`trends.closing`).
Code elsewhere (the anonymizer, trends) handles them as opaque codes; words are looked up here, in the reader's
language, where they are shown.

Codes are stored: never rename one. A new flag is a new code; the order is the chips'
(short ones paired, so the ten fit in few rows on a phone).
"""

from __future__ import annotations

from collections.abc import Iterable

from errors import DomainError
from i18n import _l

RED_FLAGS: dict[str, object] = {
    "sunglasses": _l("Sunglasses"),
    "on_phone": _l("On the phone the whole time"),
    "hat_hood_low": _l("Hat or hood pulled low"),
    "hand_signals": _l("Hand signals"),
    "wrong_season": _l("Clothes wrong for the season"),
    "wandering": _l("Wandering the store"),
    "group_of_three": _l("A group of three or more"),
    "items_on_showcase": _l("Coats or bulky items laid on the showcase"),
    "security_questions": _l("Asked about security, hours or schedules"),
    "most_expensive": _l("Asked for the most expensive piece"),
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
