"""Shortening a text for a title or a list: at a word boundary, with an ellipsis, never in the middle of a word.

Wherever a title is cut, the full text stays readable elsewhere (the narrative, the bulletin's own page): cutting
is for fitting a column or a list, not for hiding anything.
"""

from __future__ import annotations

ELLIPSIS = "…"


def shorten(text: str, limit: int) -> str:
    """`text` (whitespace collapsed) in at most `limit` characters: whole words, then "…" when something was left
    out. A single word longer than the limit is the one case cut inside a word (nothing else would fit)."""
    words = " ".join((text or "").split())
    if len(words) <= limit:
        return words
    room = limit - len(ELLIPSIS)
    cut = words[: room + 1]
    head = cut.rsplit(" ", 1)[0] if " " in cut else cut[:room]
    head = head[:room].rstrip(" ,;:.-–—")
    return head + ELLIPSIS
