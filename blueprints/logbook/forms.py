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

from blueprints.form_helpers import CheckboxesField, choices, in_date_range
from i18n import _, _l
from logbook.red_flags import RED_FLAGS
from models.store.logbook import INCIDENT_TYPES

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
MAX_PEOPLE = 6
MAX_VEHICLES = 6
PHOTO_INPUT = {"accept": "image/jpeg,image/png,image/webp"}
PHOTOS_HELP = _l("JPEG, PNG or WebP, up to 8 MB each. Location and camera details are removed when they are stored.")
# The casing report's camera button: any image the phone offers, its back camera first (the checks are the same).
CAMERA_INPUT = {"accept": "image/*", "capture": "environment"}


class RedFlagsField(CheckboxesField):
    """The red flags as one-tap chips. A code not on the list (a tampered or stale form) refuses the whole form."""

    def pre_validate(self, form) -> None:
        if self.data and any(code not in RED_FLAGS for code in self.data):
            raise ValidationError(_l("Choose red flags from the list."))


class PersonForm(Form):
    """What helps recognise someone again. Deliberately no ethnicity or other demographic field."""

    clothing = StringField(_l("Clothing"), validators=[Optional(), Length(max=300)])
    build = StringField(_l("Build"), validators=[Optional(), Length(max=100)])
    height = StringField(_l("Height"), validators=[Optional(), Length(max=50)])
    behaviour = TextAreaField(_l("Behaviour"), validators=[Optional(), Length(max=2000)])
    asked_about = StringField(_l("Asked about"), validators=[Optional(), Length(max=300)])
    other_details = TextAreaField(_l("Other details"), validators=[Optional(), Length(max=2000)])


class VehicleForm(Form):
    make = StringField(_l("Make"), validators=[Optional(), Length(max=60)])
    model = StringField(_l("Model"), validators=[Optional(), Length(max=60)])
    colour = StringField(_l("Colour"), validators=[Optional(), Length(max=40)])
    plate = StringField(_l("Plate"), validators=[Optional(), Length(max=20)])
    plate_state = StringField(_l("State / region"), validators=[Optional(), Length(max=40)])


class IncidentForm(FlaskForm):
    occurred_at = DateTimeLocalField(_l("When"), format=DATETIME_FORMATS, validators=[InputRequired(), in_date_range])
    incident_type = SelectField(_l("Type"), choices=choices(INCIDENT_TYPES.items()))
    title = StringField(_l("Short title"), validators=[DataRequired(), Length(max=200)])
    narrative = TextAreaField(_l("What happened"), validators=[DataRequired(), Length(max=20000)])
    location_note = StringField(
        _l("Where"), validators=[Optional(), Length(max=300)], description=_l("In the store, outside, the car park...")
    )
    staff_involved = TextAreaField(_l("Staff involved"), validators=[Optional(), Length(max=2000)])
    red_flags = RedFlagsField(_l("Red flags you noticed"), choices=choices(RED_FLAGS.items()))
    police_notified = BooleanField(_l("Police were notified"))
    police_report_number = StringField(_l("Police report number"), validators=[Optional(), Length(max=60)])
    people = FieldList(FormField(PersonForm), min_entries=1, max_entries=MAX_PEOPLE)
    vehicles = FieldList(FormField(VehicleForm), min_entries=1, max_entries=MAX_VEHICLES)
    # Not called `photos`: the form is also filled from an Incident, whose `photos` are the stored ones.
    new_photos = MultipleFileField(_l("Photos"), description=PHOTOS_HELP, render_kw=PHOTO_INPUT)

    def validate_police_report_number(self, field) -> None:
        if field.data and field.data.strip() and not self.police_notified.data:
            raise ValidationError(_("Tick “Police were notified” when there is a report number."))


class CasingReportForm(FlaskForm):
    """The fast path: what a person behind the counter can fill in on a phone in under a minute, in one screen.
    The person and vehicle are optional details, folded away until asked for."""

    narrative = TextAreaField(
        _l("What did they do?"),
        validators=[DataRequired(), Length(max=20000)],
        description=_l("E.g. watched the cameras, asked when the safe opens."),
    )
    occurred_at = DateTimeLocalField(_l("When"), format=DATETIME_FORMATS, validators=[InputRequired(), in_date_range])
    red_flags = RedFlagsField(_l("Red flags you noticed"), choices=choices(RED_FLAGS.items()))
    person = FormField(PersonForm, label=_l("The person"))
    vehicle = FormField(VehicleForm, label=_l("Their vehicle (if seen)"))
    photos = MultipleFileField(_l("Take or add a photo"), description=PHOTOS_HELP, render_kw=CAMERA_INPUT)
    notify_police = BooleanField(_l("Alert my police contacts"))
    # Filled by static/offline-draft.js: the draft's key, so a report sent twice files one incident (docs/offline.md).
    draft_key = HiddenField()


class PhotoUploadForm(FlaskForm):
    photos = MultipleFileField(_l("Add photos"), description=PHOTOS_HELP, render_kw=PHOTO_INPUT)


class ConfirmForm(FlaskForm):
    """A POST with a CSRF token (delete)."""


class LogbookFilterForm(FlaskForm):
    """The list's filters, read from the query string (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), validators=[Optional(), Length(max=200)])
    incident_type = SelectField(
        _l("Type"), choices=choices([("", _l("Any type")), *INCIDENT_TYPES.items()]), default=""
    )
    since = DateField(_l("From"), validators=[Optional(), in_date_range])
    until = DateField(_l("To"), validators=[Optional(), in_date_range])

    def validate_until(self, field) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_("The end date is before the start date."))
