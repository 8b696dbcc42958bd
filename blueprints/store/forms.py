"""Forms of the store workspace."""

from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, EmailField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from blueprints.form_helpers import Readable, choices, in_date_range

# What a datetime-local input sends (with or without seconds); the first one is what the field shows.
DATETIME_LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
sane_year = in_date_range  # the range's one home is security/ranges.py


CHANNEL_CHOICES = [("call", "Phone call"), ("visit", "Visit"), ("email", "Email"), ("other", "Other")]


class PoliceContactForm(FlaskForm):
    # Both reach the patrol request and casing alert emails ("Hello {officer_name}").
    agency = StringField("Agency", validators=[DataRequired(), Length(max=200), Readable()])
    officer_name = StringField("Officer name", validators=[DataRequired(), Length(max=200), Readable()])
    rank_unit = StringField("Rank / unit", validators=[Optional(), Length(max=200)])
    phone = StringField("Phone", validators=[Optional(), Length(max=50)])
    email = EmailField("Email", validators=[Optional(), Email(check_deliverability=False), Length(max=254)])
    preferred_contact = SelectField(
        "Preferred contact", choices=choices([("phone", "Phone"), ("email", "Email"), ("visit", "In person")])
    )
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=5000)])


class ContactLogForm(FlaskForm):
    occurred_at = DateTimeLocalField(
        "When",
        format=DATETIME_LOCAL_FORMATS,
        validators=[InputRequired(message="Enter the date and time of the contact."), sane_year],
    )
    channel = SelectField("How", choices=choices(CHANNEL_CHOICES))
    summary = TextAreaField(
        "What it was about",
        validators=[DataRequired(message="Say in a few words what the contact was about."), Length(max=5000)],
    )
    outcome = TextAreaField(
        "Outcome",
        description="What was agreed or what happens next, if anything.",
        validators=[Optional(), Length(max=5000)],
    )


class StoreSettingsForm(FlaskForm):
    contact_quiet_days = IntegerField(
        "Flag a police contact after this many days without contact",
        description="The dashboard suggests a call or a visit when nobody reached a contact for this long.",
        validators=[
            InputRequired(message="Enter a number of days."),
            NumberRange(min=1, max=365, message="Choose a number of days between 1 and 365."),
        ],
    )


class ConfirmForm(FlaskForm):
    """A POST-only confirmation (delete): nothing but the CSRF token."""


class StoreProfileForm(FlaskForm):
    """Where the store is and how to reach it; the police see it, and sharing scrubs every part of it."""

    trade_names = TextAreaField(
        "Other names the shop goes by",
        description="One per line: short forms, the name on the sign, initials (e.g. Bellamy's, B&S).",
        validators=[Optional(), Length(max=2000)],
    )
    street_address = StringField(
        "Street address",
        description="Number, street and unit, as on the door (e.g. 1428 Elm Street, Suite 4).",
        validators=[Optional(), Length(max=300)],
    )
    city = StringField("Town or city", validators=[Optional(), Length(max=120)])
    postcode = StringField("Postcode", validators=[Optional(), Length(max=20)])
    phone = StringField("Shop phone", validators=[Optional(), Length(max=50)])
    website = StringField("Website", validators=[Optional(), Length(max=300)])
    shop_email = EmailField("Shop email", validators=[Optional(), Email(check_deliverability=False), Length(max=254)])
    opening_hours = TextAreaField(
        "Opening hours", description="As you would tell a police officer.", validators=[Optional(), Length(max=2000)]
    )
