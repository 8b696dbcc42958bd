"""One rule for the names and short texts people type that others read, in pages and in emails (store names,
person names, a liaison's agency and badge): no control or invisible characters.

A line break in a name ends up in an email (`Eve\r\nBcc: ...` forges a line of the body, and a header if a name
ever reaches one); a right-to-left override or a zero-width character makes a name read as something it is not.
Categories refused: Cc (control: NUL, CR, LF, tab, ESC...), Cf (format: bidi overrides, zero-width), Cs (lone
surrogates), Co (private use).
"""

from __future__ import annotations

import unicodedata

from errors import DomainError
from i18n import _, _l

UNREADABLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co"})
UNREADABLE_MESSAGE = "contains a line break or another control or invisible character. Remove it and try again."


class UnreadableText(DomainError):
    """A name or short text with control or invisible characters."""


def has_unreadable_characters(text: str) -> bool:
    """True when `text` holds a character of an UNREADABLE_CATEGORIES category (after NFC normalisation)."""
    return any(unicodedata.category(ch) in UNREADABLE_CATEGORIES for ch in unicodedata.normalize("NFC", text))


def clean_name(value: str | None, *, what: object = _l("The name"), max_length: int = 200) -> str:
    """`value` normalised (NFC, whitespace collapsed, cut at `max_length`); UnreadableText when it holds a control
    or invisible character. An empty value stays empty: whether a name is required is the caller's rule. `what`
    names the field in the message, in the reader's language (`_l("Your name")`)."""
    value = unicodedata.normalize("NFC", value or "")
    if has_unreadable_characters(value):
        raise UnreadableText(
            _(
                "%(what)s contains a line break or another control or invisible character. Remove it and try again.",
                what=what,
            )
        )
    return " ".join(value.split())[:max_length]
