"""Forms of the police review: the store's grant, and the officer's review notes."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, DateTimeLocalField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from blueprints.form_helpers import CheckboxesField, choices, in_date_range
from i18n import _, _l
from models.store.logbook import INCIDENT_TYPES


class GrantForm(FlaskForm):
    recipient = SelectField(
        _l("Share with"), validators=[InputRequired(message=_l("Choose the officer to share with."))]
    )
    incident_types = CheckboxesField(
        _l("Incident types"),
        choices=choices(INCIDENT_TYPES.items()),
        validators=[DataRequired(message=_l("Choose at least one type of incident."))],
    )
    since = DateField(
        _l("Incidents from"), validators=[InputRequired(message=_l("Enter the first day of the slice.")), in_date_range]
    )
    until = DateField(
        _l("Incidents until"), validators=[InputRequired(message=_l("Enter the last day of the slice.")), in_date_range]
    )
    expires_at = DateTimeLocalField(
        _l("Access ends"),
        format="%Y-%m-%dT%H:%M",
        description=_l("At most 90 days from now. You can revoke access at any time before."),
        validators=[InputRequired(message=_l("Enter when access ends.")), in_date_range],
    )
    message = TextAreaField(
        _l("Message to the officer"),
        description=_l("Optional. Sent with the notification; it is marked TLP:RED."),
        validators=[Optional(), Length(max=2000)],
    )

    def validate_until(self, field) -> None:
        if self.since.data and field.data and field.data < self.since.data:
            raise ValidationError(_("The end date must not be before the start date."))


class RevokeForm(FlaskForm):
    """Only the CSRF token: revoking is a POST."""


class ReviewNotesForm(FlaskForm):
    pattern_notes = TextAreaField(
        _l("Pattern notes for the store"),
        description=_l("What you see across these incidents: repeat vehicles, descriptions, times, approaches."),
        validators=[Optional(), Length(max=10_000)],
    )
    reviewed = BooleanField(_l("Mark this slice as reviewed"))
