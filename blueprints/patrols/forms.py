"""Forms of patrol requests, trips (away mode) and the officer's link. Date-times are wall-clock times in the
store's time zone (its region's); the services turn them into aware datetimes."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from blueprints.form_helpers import choices, in_date_range
from i18n import _, _l
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
                raise ValidationError(_("The end must be after the start."))
            if field.data - starts > MAX_PERIOD:
                raise ValidationError(_("A request can cover at most 92 days; split longer periods."))


class _WhatPoliceShouldKnow(FlaskForm):
    vehicles_expected = TextAreaField(
        _l("Vehicles expected"),
        validators=[Optional(), Length(max=2000)],
        description=_l("Cars or vans that may be at the premises, e.g. the courier's van or a house-sitter's car."),
    )
    # The security briefing's keyholders and alarm company go with every request (`workspace.police_card`): these
    # two are only for what differs this time.
    keyholder = TextAreaField(
        _l("Keyholder arrangements for this period (optional)"),
        validators=[Optional(), Length(max=1000)],
        description=_l(
            "Your security briefing's keyholders are sent with the request. Add only what differs this time."
        ),
    )
    alarm_company = StringField(
        _l("Alarm company, if different this time (optional)"),
        validators=[Optional(), Length(max=200)],
        description=_l("Your security briefing's alarm company is sent with the request."),
    )
    notes = TextAreaField(_l("Anything else police should know"), validators=[Optional(), Length(max=5000)])
    contact_id = SelectField(
        _l("Police contact"),
        coerce=_contact_id,
        validators=[InputRequired(_l("Choose the police contact this request goes to."))],
        description=_l("The request is emailed to this contact; they need an email address."),
    )


class PatrolRequestForm(_Period, _WhatPoliceShouldKnow):
    reason = SelectField(_l("Reason"), choices=choices(REASONS.items()))
    place = SelectField(_l("Where"), choices=choices(PLACES.items()))
    home_address = TextAreaField(
        _l("Home address"), validators=[Length(max=1000)], description=_l("Only for a home watch.")
    )
    starts_at = DateTimeLocalField(_l("From"), format=DATETIME_FORMATS, validators=[InputRequired(), in_date_range])
    ends_at = DateTimeLocalField(_l("To"), format=DATETIME_FORMATS, validators=[InputRequired(), in_date_range])

    def validate_home_address(self, field) -> None:
        if self.place.data == "home" and not (field.data or "").strip():
            raise ValidationError(_("Give the home address for a home watch."))


class TripForm(_Period, _WhatPoliceShouldKnow):
    kind = SelectField(_l("Kind of trip"), choices=choices(TRIP_KINDS.items()))
    title = StringField(
        _l("Name"),
        validators=[Optional(), Length(max=200)],
        description=_l("For example the show's name or the destination."),
    )
    starts_at = DateTimeLocalField(
        _l("Away from"), format=DATETIME_FORMATS, validators=[InputRequired(), in_date_range]
    )
    ends_at = DateTimeLocalField(_l("Back on"), format=DATETIME_FORMATS, validators=[InputRequired(), in_date_range])
    watch_store = BooleanField(_l("Ask for extra watch on the store"), default=True)
    watch_home = BooleanField(_l("Ask for extra watch on the home"))
    home_address = TextAreaField(_l("Home address"), validators=[Length(max=1000)])

    def validate_watch_home(self, field) -> None:
        if not (field.data or self.watch_store.data):
            raise ValidationError(_("Ask for a watch on the store, the home, or both."))

    def validate_home_address(self, field) -> None:
        if self.watch_home.data and not (field.data or "").strip():
            raise ValidationError(_("Give the home address for the home watch."))


class ActionForm(FlaskForm):
    """A button-only form (send, resend, complete, delete): just the CSRF token."""


class AnswerForm(FlaskForm):
    """The officer's answer to a request: acknowledge or decline (two buttons named `decision`)."""

    officer_name = StringField(_l("Your name and rank"), validators=[DataRequired(), Length(max=200)])
    note = TextAreaField(
        _l("Note for the store"),
        validators=[Length(max=2000)],
        description=_l("Optional when you acknowledge; say why when you decline."),
    )
    decision = HiddenField()

    def validate_decision(self, field) -> None:
        if field.data not in ("acknowledge", "decline"):
            raise ValidationError(_("Choose Acknowledge or Decline."))

    def validate_note(self, field) -> None:
        if self.decision.data == "decline" and not (field.data or "").strip():
            raise ValidationError(_("Say why the request cannot be done, so the store can make other arrangements."))


class PatrolLogForm(FlaskForm):
    patrolled_at = DateTimeLocalField(_l("When"), format=DATETIME_FORMATS, validators=[InputRequired(), in_date_range])
    officer_name = StringField(_l("Officer"), validators=[DataRequired(), Length(max=200)])
    observations = TextAreaField(_l("What you saw"), validators=[Optional(), Length(max=5000)])
