"""Forms of the incident logbook. Date-times are wall-clock times in the store's time zone (its region's)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    MultipleFileField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from blueprints.form_helpers import choices, in_date_range
from models.store.logbook import INCIDENT_TYPES

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
MAX_PEOPLE = 6
MAX_VEHICLES = 6
PHOTO_INPUT = {"accept": "image/jpeg,image/png,image/webp"}
PHOTOS_HELP = "JPEG, PNG or WebP, up to 8 MB each. Location and camera details are removed when they are stored."


class PersonForm(Form):
    """What helps recognise someone again. Deliberately no ethnicity or other demographic field."""

    clothing = StringField("Clothing", validators=[Optional(), Length(max=300)])
    build = StringField("Build", validators=[Optional(), Length(max=100)])
    height = StringField("Height", validators=[Optional(), Length(max=50)])
    behaviour = TextAreaField("Behaviour", validators=[Optional(), Length(max=2000)])
    asked_about = StringField("Asked about", validators=[Optional(), Length(max=300)])
    other_details = TextAreaField("Other details", validators=[Optional(), Length(max=2000)])


class VehicleForm(Form):
    make = StringField("Make", validators=[Optional(), Length(max=60)])
    model = StringField("Model", validators=[Optional(), Length(max=60)])
    colour = StringField("Colour", validators=[Optional(), Length(max=40)])
    plate = StringField("Plate", validators=[Optional(), Length(max=20)])
    plate_state = StringField("State / region", validators=[Optional(), Length(max=40)])


class IncidentForm(FlaskForm):
    occurred_at = DateTimeLocalField("When", format=DATETIME_FORMATS, validators=[InputRequired(), in_date_range])
    incident_type = SelectField("Type", choices=choices(INCIDENT_TYPES.items()))
    title = StringField("Short title", validators=[DataRequired(), Length(max=200)])
    narrative = TextAreaField("What happened", validators=[DataRequired(), Length(max=20000)])
    location_note = StringField(
        "Where", validators=[Optional(), Length(max=300)], description="In the store, outside, the car park..."
    )
    staff_involved = TextAreaField("Staff involved", validators=[Optional(), Length(max=2000)])
    police_notified = BooleanField("Police were notified")
    police_report_number = StringField("Police report number", validators=[Optional(), Length(max=60)])
    people = FieldList(FormField(PersonForm), min_entries=1, max_entries=MAX_PEOPLE)
    vehicles = FieldList(FormField(VehicleForm), min_entries=1, max_entries=MAX_VEHICLES)
    # Not called `photos`: the form is also filled from an Incident, whose `photos` are the stored ones.
    new_photos = MultipleFileField("Photos", description=PHOTOS_HELP, render_kw=PHOTO_INPUT)

    def validate_police_report_number(self, field) -> None:
        if field.data and field.data.strip() and not self.police_notified.data:
            raise ValidationError("Tick “Police were notified” when there is a report number.")


class CasingReportForm(FlaskForm):
    """The fast path: what a person behind the counter can fill in on a phone in under a minute."""

    narrative = TextAreaField(
        "What did they do?",
        validators=[DataRequired(), Length(max=20000)],
        description="E.g. looked at cameras and exits, asked when the safe opens, photographed the counter.",
    )
    occurred_at = DateTimeLocalField("When", format=DATETIME_FORMATS, validators=[InputRequired(), in_date_range])
    person = FormField(PersonForm, label="The person")
    vehicle = FormField(VehicleForm, label="Their vehicle (if seen)")
    photos = MultipleFileField("Photo", description=PHOTOS_HELP, render_kw=PHOTO_INPUT)
    notify_police = BooleanField("Ask our police contacts for a heightened response now")
    # Filled by static/offline-draft.js: the draft's key, so a report sent twice files one incident (docs/offline.md).
    draft_key = HiddenField()


class PhotoUploadForm(FlaskForm):
    photos = MultipleFileField("Add photos", description=PHOTOS_HELP, render_kw=PHOTO_INPUT)


class ConfirmForm(FlaskForm):
    """A POST with a CSRF token (delete)."""


class LogbookFilterForm(FlaskForm):
    """The list's filters, read from the query string (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    q = StringField("Search", validators=[Optional(), Length(max=200)])
    incident_type = SelectField("Type", choices=choices([("", "Any type"), *INCIDENT_TYPES.items()]), default="")
    since = DateField("From", validators=[Optional(), in_date_range])
    until = DateField("To", validators=[Optional(), in_date_range])

    def validate_until(self, field) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError("The end date is before the start date.")
