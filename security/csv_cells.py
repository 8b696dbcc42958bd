"""CSV cells that a spreadsheet shows as text (OWASP "CSV injection"): one rule for every export."""

from __future__ import annotations

# Leading characters a spreadsheet reads as the start of a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(value: object) -> str:
    """The value as cell text; one that would start a formula gets a leading single quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text
