"""Forms of the store workspace."""

from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, EmailField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from blueprints.form_helpers import Readable, choices, in_date_range
from i18n import _l

# What a datetime-local input sends (with or without seconds); the first one is what the field shows.
DATETIME_LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
sane_year = in_date_range  # the range's one home is security/ranges.py


CHANNEL_CHOICES = [("call", _l("Phone call")), ("visit", _l("Visit")), ("email", _l("Email")), ("other", _l("Other"))]


class PoliceContactForm(FlaskForm):
    # Both reach the patrol request and casing alert emails ("Hello {officer_name}").
    agency = StringField(_l("Agency"), validators=[DataRequired(), Length(max=200), Readable()])
    officer_name = StringField(_l("Officer name"), validators=[DataRequired(), Length(max=200), Readable()])
    rank_unit = StringField(_l("Rank / unit"), validators=[Optional(), Length(max=200)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=50)])
    email = EmailField(_l("Email"), validators=[Optional(), Email(check_deliverability=False), Length(max=254)])
    preferred_contact = SelectField(
        _l("Preferred contact"),
        choices=choices([("phone", _l("Phone")), ("email", _l("Email")), ("visit", _l("In person"))]),
    )
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])


class ContactLogForm(FlaskForm):
    occurred_at = DateTimeLocalField(
        _l("When"),
        format=DATETIME_LOCAL_FORMATS,
        validators=[InputRequired(message=_l("Enter the date and time of the contact.")), sane_year],
    )
    channel = SelectField(_l("How"), choices=choices(CHANNEL_CHOICES))
    summary = TextAreaField(
        _l("What it was about"),
        validators=[DataRequired(message=_l("Say in a few words what the contact was about.")), Length(max=5000)],
    )
    outcome = TextAreaField(
        _l("Outcome"),
        description=_l("What was agreed or what happens next, if anything."),
        validators=[Optional(), Length(max=5000)],
    )


class StoreSettingsForm(FlaskForm):
    contact_quiet_days = IntegerField(
        _l("Flag a police contact after this many days without contact"),
        description=_l("The dashboard suggests a call or a visit when nobody reached a contact for this long."),
        validators=[
            InputRequired(message=_l("Enter a number of days.")),
            NumberRange(min=1, max=365, message=_l("Choose a number of days between 1 and 365.")),
        ],
    )


class ConfirmForm(FlaskForm):
    """A POST-only confirmation (delete): nothing but the CSRF token."""


class StoreProfileForm(FlaskForm):
    """Where the store is and how to reach it; the police see it, and sharing scrubs every part of it."""

    trade_names = TextAreaField(
        _l("Other names the shop goes by"),
        description=_l("One per line: short forms, the name on the sign, initials (e.g. Bellamy's, B&S)."),
        validators=[Optional(), Length(max=2000)],
    )
    street_address = StringField(
        _l("Street address"),
        description=_l("Number, street and unit, as on the door (e.g. 1428 Elm Street, Suite 4)."),
        validators=[Optional(), Length(max=300)],
    )
    city = StringField(_l("Town or city"), validators=[Optional(), Length(max=120)])
    postcode = StringField(_l("Postcode"), validators=[Optional(), Length(max=20)])
    phone = StringField(_l("Shop phone"), validators=[Optional(), Length(max=50)])
    website = StringField(_l("Website"), validators=[Optional(), Length(max=300)])
    shop_email = EmailField(
        _l("Shop email"), validators=[Optional(), Email(check_deliverability=False), Length(max=254)]
    )
    opening_hours = TextAreaField(
        _l("Opening hours"),
        description=_l("As you would tell a police officer."),
        validators=[Optional(), Length(max=2000)],
    )
