"""Helpers shared by every blueprint's forms."""

from __future__ import annotations

from collections.abc import Iterable

from wtforms import SelectChoice, SelectMultipleField, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from security.readable_text import UNREADABLE_MESSAGE, has_unreadable_characters


def choices(pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    """SelectField choices from (value, label) pairs (WTForms 3.3 deprecates plain tuples)."""
    return [SelectChoice(value, label) for value, label in pairs]


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes (easier on a phone than a multiple select)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class Readable:
    """Refuse a field holding a line break or another control or invisible character (the rule of
    `security.readable_text`, which the services apply too: here it is shown next to the field, as typed)."""

    def __call__(self, form, field) -> None:
        if isinstance(field.data, str) and has_unreadable_characters(field.data):
            raise ValidationError(f"This field {UNREADABLE_MESSAGE}")
