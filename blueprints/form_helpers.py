"""Helpers shared by every blueprint's forms."""

from __future__ import annotations

from collections.abc import Iterable

from flask import abort, request
from wtforms import SelectChoice, SelectMultipleField, ValidationError
from wtforms.validators import NumberRange
from wtforms.widgets import CheckboxInput, ListWidget

from i18n import _
from security import ranges
from security.readable_text import has_unreadable_characters


def choices(pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    """SelectField choices from (value, label) pairs (WTForms 3.3 deprecates plain tuples)."""
    return [SelectChoice(value, label) for value, label in pairs]


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes (easier on a phone than a multiple select)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def in_date_range(form, field) -> None:
    """Refuse dates like 0001-01-01 or 9999-12-31 (security/ranges.py): they are typos, and a day or a time zone
    added to them leaves the range Python's datetime can hold."""
    if not ranges.date_in_range(field.data):
        raise ValidationError(ranges.DATE_MESSAGE)


def id_range(message: str = "Choose an existing record.") -> NumberRange:
    """An IntegerField holding an id: at most PostgreSQL's bigint, so it never fails in the database."""
    return NumberRange(min=1, max=ranges.MAX_ID, message=message)


def page_arg(name: str = "page") -> int:
    """The page number in the query string: 1 when absent, a 400 with a message when not 1..MAX_PAGE."""
    try:
        return ranges.page_number(request.args.get(name))
    except ranges.OutOfRange as exc:
        abort(400, str(exc))


class Readable:
    """Refuse a field holding a line break or another control or invisible character (the rule of
    `security.readable_text`, which the services apply too: here it is shown next to the field, as typed)."""

    def __call__(self, form, field) -> None:
        if isinstance(field.data, str) and has_unreadable_characters(field.data):
            raise ValidationError(
                _(
                    "This field contains a line break or another control or invisible character."
                    " Remove it and try again."
                )
            )
