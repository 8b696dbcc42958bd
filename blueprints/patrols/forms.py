"""Forms of patrol requests, trips (away mode) and the officer's link. Date-times are wall-clock times in the
store's time zone (its region's); the services turn them into aware datetimes."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from blueprints.form_helpers import choices, in_date_range
from patrols.requests import MAX_PERIOD, PLACES, REASONS, TRIP_KINDS

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


def _contact_id(value):
    return int(value) if value not in (None, "", "None") else None


class _Period:
    """Start and end fields with the checks every period needs, reported at the end field."""

    def validate_ends_at(self, field) -> None:
        starts = self.starts_at.data
        if starts and field.data:
            if field.data <= starts:
                raise ValidationError("The end must be after the start.")
            if field.data - starts > MAX_PERIOD:
                raise ValidationError("A request can cover at most 92 days; split longer periods.")


class _WhatPoliceShouldKnow(FlaskForm):
    vehicles_expected = TextAreaField(
        "Vehicles expected",
        validators=[Optional(), Length(max=2000)],
        description="Cars or vans that may be at the premises, e.g. the courier's van or a house-sitter's car.",
    )
    # The security briefing's keyholders and alarm company go with every request (`workspace.police_card`): these
    # two are only for what differs this time.
    keyholder = TextAreaField(
        "Keyholder arrangements for this period (optional)",
        validators=[Optional(), Length(max=1000)],
        description="Your security briefing's keyholders are sent with the request. Add only what differs this time.",
    )
    alarm_company = StringField(
        "Alarm company, if different this time (optional)",
        validators=[Optional(), Length(max=200)],
        description="Your security briefing's alarm company is sent with the request.",
    )
    notes = TextAreaField("Anything else police should know", validators=[Optional(), Length(max=5000)])
    contact_id = SelectField(
        "Police contact",
        coerce=_contact_id,
        validators=[InputRequired("Choose the police contact this request goes to.")],
        description="The request is emailed to this contact; they need an email address.",
    )


class PatrolRequestForm(_Period, _WhatPoliceShouldKnow):
    reason = SelectField("Reason", choices=choices(REASONS.items()))
    place = SelectField("Where", choices=choices(PLACES.items()))
    home_address = TextAreaField("Home address", validators=[Length(max=1000)], description="Only for a home watch.")
    starts_at = DateTimeLocalField("From", format=DATETIME_FORMATS, validators=[InputRequired(), in_date_range])
    ends_at = DateTimeLocalField("To", format=DATETIME_FORMATS, validators=[InputRequired(), in_date_range])

    def validate_home_address(self, field) -> None:
        if self.place.data == "home" and not (field.data or "").strip():
            raise ValidationError("Give the home address for a home watch.")


class TripForm(_Period, _WhatPoliceShouldKnow):
    kind = SelectField("Kind of trip", choices=choices(TRIP_KINDS.items()))
    title = StringField(
        "Name", validators=[Optional(), Length(max=200)], description="For example the show's name or the destination."
    )
    starts_at = DateTimeLocalField("Away from", format=DATETIME_FORMATS, validators=[InputRequired(), in_date_range])
    ends_at = DateTimeLocalField("Back on", format=DATETIME_FORMATS, validators=[InputRequired(), in_date_range])
    watch_store = BooleanField("Ask for extra watch on the store", default=True)
    watch_home = BooleanField("Ask for extra watch on the home")
    home_address = TextAreaField("Home address", validators=[Length(max=1000)])

    def validate_watch_home(self, field) -> None:
        if not (field.data or self.watch_store.data):
            raise ValidationError("Ask for a watch on the store, the home, or both.")

    def validate_home_address(self, field) -> None:
        if self.watch_home.data and not (field.data or "").strip():
            raise ValidationError("Give the home address for the home watch.")


class ActionForm(FlaskForm):
    """A button-only form (send, resend, complete, delete): just the CSRF token."""


class AnswerForm(FlaskForm):
    """The officer's answer to a request: acknowledge or decline (two buttons named `decision`)."""

    officer_name = StringField("Your name and rank", validators=[DataRequired(), Length(max=200)])
    note = TextAreaField(
        "Note for the store",
        validators=[Length(max=2000)],
        description="Optional when you acknowledge; say why when you decline.",
    )
    decision = HiddenField()

    def validate_decision(self, field) -> None:
        if field.data not in ("acknowledge", "decline"):
            raise ValidationError("Choose Acknowledge or Decline.")

    def validate_note(self, field) -> None:
        if self.decision.data == "decline" and not (field.data or "").strip():
            raise ValidationError("Say why the request cannot be done, so the store can make other arrangements.")


class PatrolLogForm(FlaskForm):
    patrolled_at = DateTimeLocalField("When", format=DATETIME_FORMATS, validators=[InputRequired(), in_date_range])
    officer_name = StringField("Officer", validators=[DataRequired(), Length(max=200)])
    observations = TextAreaField("What you saw", validators=[Optional(), Length(max=5000)])
