"""The platform's ranges for dates, page numbers and ids: the one home of the rules, used by forms, query strings,
domain checks and the pages that show stored values.

Out-of-range input used to end in a 500: `9999-12-31` plus one day leaves what Python's date can hold, a date in
year 1 moved to UTC from a zone ahead of it does too, and a number past PostgreSQL's bigint fails in the driver.
Dates a person may type lie between 1 Jan 1900 and 31 Dec 2200: wide enough for any record, narrow enough that a
few days or a time zone either way never overflows.
"""

from __future__ import annotations

import functools
from datetime import date, datetime

from flask import Flask
from werkzeug.routing import IntegerConverter

from i18n import _, format_number

EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2200, 12, 31)
DATE_MESSAGE = f"Enter a date between {EARLIEST_DATE.year} and {LATEST_DATE.year}."
MAX_PAGE = 100_000
PAGE_MESSAGE = f"The page number must be a whole number from 1 to {MAX_PAGE:,}."
MAX_ID = 2**63 - 1  # PostgreSQL's bigint, the type of every id


class OutOfRange(ValueError):
    """A value outside the platform's range; its message says what is allowed."""


def date_in_range(value: date | datetime | None) -> bool:
    """True for None and for dates (or datetimes) between EARLIEST_DATE and LATEST_DATE."""
    if value is None:
        return True
    day = value.date() if isinstance(value, datetime) else value
    return EARLIEST_DATE <= day <= LATEST_DATE


def check_date(value: date | datetime | None, message: str = DATE_MESSAGE) -> None:
    """Raise OutOfRange unless `date_in_range(value)`."""
    if not date_in_range(value):
        raise OutOfRange(message)


def clamp_date(value: date) -> date:
    """A stored date brought into range, for arithmetic on values written before the ranges were checked."""
    return min(max(value, EARLIEST_DATE), LATEST_DATE)


def bounded_int(raw: object, lo: int, hi: int) -> int:
    """`raw` (an int or a string of decimal digits, optionally signed) as an int within lo..hi, or OutOfRange."""
    if isinstance(raw, bool):
        raise OutOfRange(_("Enter a whole number from %(lo)s to %(hi)s.", lo=format_number(lo), hi=format_number(hi)))
    if isinstance(raw, int):
        number = raw
    else:
        text = str(raw).strip()
        digits = text[1:] if text[:1] in "+-" else text
        if not digits.isascii() or not digits.isdigit() or len(digits) > 30:
            raise OutOfRange(
                _("Enter a whole number from %(lo)s to %(hi)s.", lo=format_number(lo), hi=format_number(hi))
            )
        number = int(text)
    if not lo <= number <= hi:
        raise OutOfRange(_("Enter a whole number from %(lo)s to %(hi)s.", lo=format_number(lo), hi=format_number(hi)))
    return number


def page_number(raw: str | None) -> int:
    """A page number from a query string: 1 when absent, OutOfRange (PAGE_MESSAGE) when not 1..MAX_PAGE."""
    if raw is None or raw == "":
        return 1
    try:
        return bounded_int(raw, 1, MAX_PAGE)
    except OutOfRange:
        raise OutOfRange(PAGE_MESSAGE) from None


def id_value(raw: object) -> int:
    """An id from a query string (for `request.args.get(name, type=id_value)`): ValueError unless 1..MAX_ID, so
    an id no row can have is treated like a missing one rather than reaching the database."""
    return bounded_int(raw, 1, MAX_ID)


def init_app(app: Flask) -> None:
    """Bound every `<int:...>` route part at MAX_ID, so a longer number is a 404 rather than a bigint error (call
    before the blueprints register their routes). Werkzeug's own converter with a default `max`: a rule that names
    its own bounds still wins, and the converter stays werkzeug's IntegerConverter for whatever inspects routes."""
    app.url_map.converters["int"] = functools.partial(IntegerConverter, max=MAX_ID)
