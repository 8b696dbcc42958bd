"""Opaque page cursors: what the next page starts after, in a form clients must not build or read.

A cursor only ever narrows what a token may see (a bulletin cursor names a bulletin that is checked to be visible
again, a member cursor a position in the token's own list), so it needs no signature; a damaged one is a 400.
"""

from __future__ import annotations

import base64
import json

from flask import abort

from security.ranges import MAX_ID


def encode(kind: str, value: int) -> str:
    raw = json.dumps({"k": kind, "v": value}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(kind: str, cursor: str | None) -> int | None:
    """The position in `cursor` (None without one); 400 for anything this API did not hand out."""
    if cursor is None:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        value = data["v"] if data.get("k") == kind else None
    except (ValueError, TypeError, KeyError, AttributeError):
        value = None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_ID:
        abort(400, "That cursor is not one this API handed out: start again without it.")
    return value
