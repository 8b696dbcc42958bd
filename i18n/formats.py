"""Dates and numbers in the reader's language (the request's, or the recipient's under `force_locale`).

Loupe's code writes date formats as strftime patterns (`"%d %b %Y, %H:%M"`): English keeps exactly that house
style ("04 Dec 2026, 14:30"), other languages get the same pieces (weekday, day, month in letters or figures, year,
hours and minutes) in their own order and words from CLDR: "4 déc. 2026, 14 h 30", "4 dic 2026, 14:30". The time
zone is the caller's business: convert first (`workspace.times`), then format.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from babel import Locale
from babel.dates import format_skeleton
from babel.numbers import format_decimal
from flask_babel import get_locale

DEFAULT = "en"


def current_language() -> str:
    """The language being rendered now: the request's, a `force_locale`'s, or English outside both."""
    locale = get_locale()
    return str(locale) if locale is not None else DEFAULT


def _date_skeleton(fmt: str) -> str:
    month = "MMMM" if "%B" in fmt else "MMM" if "%b" in fmt else "M" if "%m" in fmt else ""
    weekday = "EEEE" if "%A" in fmt else "EEE" if "%a" in fmt else ""
    day = "d" if ("%d" in fmt or "%-d" in fmt or "%e" in fmt) else ""
    year = "y" if ("%Y" in fmt or "%y" in fmt) else ""
    return f"{year}{month}{weekday}{day}"


def format_local(value: date | datetime | None, fmt: str = "%d %b %Y", *, empty: str = "—") -> str:
    """`value` written as `fmt` says, in the current language (English: `fmt` itself; others: CLDR)."""
    if value is None:
        return empty
    language = current_language()
    if language == DEFAULT or language.startswith("en_"):
        return value.strftime(fmt)
    locale = Locale.parse(language)
    date_part = time_part = ""
    skeleton = _date_skeleton(fmt)
    if skeleton:
        date_part = format_skeleton(skeleton, value, locale=locale)
    if isinstance(value, datetime) and "%H" in fmt:
        time_part = format_skeleton("Hms" if "%S" in fmt else "Hm", value, locale=locale)
    if date_part and time_part:
        text = locale.datetime_formats["medium"].format(time_part, date_part)
    else:
        text = date_part or time_part
    if isinstance(value, datetime) and "%Z" in fmt:
        text += f" {value.strftime('%Z')}"
    elif fmt.rstrip().endswith("UTC"):
        text += " UTC"
    return text


def format_number(value: int | float | Decimal | None, *, digits: int | None = None, empty: str = "—") -> str:
    """A number with the current language's separators ("1,234.5", "1 234,5"); `digits` fixes the decimals."""
    if value is None:
        return empty
    pattern = None if digits is None else ("#,##0." + "0" * digits if digits else "#,##0")
    return format_decimal(value, format=pattern, locale=Locale.parse(current_language()))
