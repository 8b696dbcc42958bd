"""A vehicle plate as the witness wrote it, and the key plates are matched by: one home for both.

A witness often reads only part of a plate and writes the unread characters as dots ("..19 FK."), or as "?", "*"
or "_", sometimes after a label ("partial: ..19 FK."). People read the plate as written (`as_written`: the
label dropped, every unknown character a dot, spacing kept); matching (casing patterns) uses `match_key`, which
ignores spacing, case and dashes but keeps the unknown positions, so "..19 FK." and "..19fk." are one plate while
"..19 FK." and "19FK" are not. The key is internal: never shown (issue #19: "never PARTIAL19FK").
"""

from __future__ import annotations

import re

# "partial:", "partial plate -", "part:" before the plate: a note about the plate, not part of it.
_LABEL = re.compile(r"^\s*(?:partial(?:ly)?(?:\s+(?:plate|read))?|part)\s*[:\-–]\s*", re.IGNORECASE)
_UNKNOWN = re.compile(r"[?*_•·…]|\.")
_KEPT = re.compile(r"[A-Za-z0-9.]")
MIN_KNOWN = 3  # a key with fewer read characters than this matches too much to mean anything


def as_written(plate: str | None) -> str:
    """The plate for people to read: unknown characters as dots, no "partial:" label, spaces as typed (collapsed)."""
    text = _LABEL.sub("", plate or "")
    text = _UNKNOWN.sub(".", text.replace("…", "..."))
    return " ".join(text.split())


def is_partial(plate: str | None) -> bool:
    """Whether part of the plate was not read (a dot in the written form, or a "partial" label)."""
    return bool(plate) and ("." in as_written(plate) or bool(_LABEL.match(plate or "")))


def match_key(plate: str | None) -> str:
    """The plate's matching key ("" when too little was read): upper case letters and digits, a dot per unknown
    character, no spaces or dashes."""
    key = "".join(_KEPT.findall(as_written(plate))).upper()
    return key if sum(c != "." for c in key) >= MIN_KNOWN else ""
