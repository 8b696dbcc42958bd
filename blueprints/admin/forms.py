"""Forms of the admin portal (Flask-WTF: CSRF on every POST form)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, EmailField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from blueprints.form_helpers import Readable, choices, in_date_range
from regions import MAX_K, MIN_K

WEEKDAY_CHOICES = [
    (str(i), d) for i, d in enumerate(("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"))
]
FREQUENCY_CHOICES = [("weekly", "Weekly"), ("daily", "Daily")]
PERSON_ROLE_CHOICES = [
    ("admin", "Association staff (administrator)"),
    ("liaison", "Police liaison"),
    ("owner", "Store owner"),
    ("manager", "Store manager"),
    ("staff", "Store staff"),
]
ASSOCIATION_ROLE_CHOICES = [("admin", "Association staff"), ("liaison", "Police liaison")]
STORE_ROLE_CHOICES = [("owner", "Owner"), ("manager", "Manager"), ("staff", "Staff")]


def optional_int(value):
    """Coerce a select's value: '' (nothing chosen) is None, anything else must be an integer."""
    if value in (None, "", "None"):
        return None
    return int(value)


def with_blank(pairs, label="—"):
    return choices([("", label), *[(str(v), lab) for v, lab in pairs]])


class ConfirmForm(FlaskForm):
    """A button that changes something: a POST with a CSRF token."""


class InviteStoreForm(FlaskForm):
    name = StringField("Store name", validators=[DataRequired("Enter the store's name."), Length(max=200)])
    slug = StringField(
        "Web address (optional)",
        validators=[Optional(), Length(max=50)],
        description="Lower-case letters, digits and hyphens; made from the name when left empty.",
    )
    region = SelectField("Region", coerce=optional_int, validators=[DataRequired("Choose a region.")])
    area = SelectField("Area (optional)", coerce=optional_int, validators=[Optional()])
    owner_email = EmailField(
        "Owner's email", validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)]
    )
    owner_name = StringField(
        "Owner's name", validators=[DataRequired("Enter the owner's name."), Length(max=200), Readable()]
    )


class MoveStoreForm(FlaskForm):
    region = SelectField("New region", coerce=optional_int, validators=[DataRequired("Choose a region.")])
    area = SelectField("Area (optional)", coerce=optional_int, validators=[Optional()])


class RemoveStoreForm(FlaskForm):
    confirm_slug = StringField("Type the store's web address to confirm", validators=[DataRequired(), Length(max=63)])
    understood = BooleanField(
        "I understand the store's workspace and data will be deleted after the grace period.",
        validators=[DataRequired("Tick the box to confirm.")],
    )


class ImportForm(FlaskForm):
    file = FileField("CSV file", validators=[FileRequired("Choose a CSV file.")])
    dry_run = BooleanField("Dry run: check the file only, import nothing", default=True)


class RegionForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Enter a name."), Length(max=200)])
    slug = StringField("Short name (optional)", validators=[Optional(), Length(max=50)])


class AreaForm(RegionForm):
    pass


class RenameForm(FlaskForm):
    name = StringField("New name", validators=[DataRequired("Enter a name."), Length(max=200)])


class MergeForm(FlaskForm):
    keep = SelectField("Keep this region", coerce=optional_int, validators=[DataRequired("Choose a region.")])
    merge = SelectField("Merge this region into it", coerce=optional_int, validators=[DataRequired("Choose a region.")])


class SettingsForm(FlaskForm):
    k_threshold = IntegerField(
        "k threshold",
        validators=[DataRequired(), NumberRange(MIN_K, MAX_K)],
        description="The fewest member stores an area or trend must rest on before it is named or published.",
    )
    frequency = SelectField("Digest", choices=choices(FREQUENCY_CHOICES))
    weekday = SelectField("Weekday (weekly digest)", coerce=int, choices=choices(WEEKDAY_CHOICES))
    hour = IntegerField("Hour (0–23)", validators=[InputRequired("Enter an hour."), NumberRange(0, 23)])
    timezone = StringField("Time zone", validators=[DataRequired(), Length(max=64)], description="e.g. Europe/London")


class RegionSettingsForm(FlaskForm):
    k_threshold = IntegerField("k threshold", validators=[Optional(), NumberRange(MIN_K, MAX_K)])
    frequency = SelectField("Digest", choices=choices([("", "As the association"), *FREQUENCY_CHOICES]))
    weekday = SelectField(
        "Weekday", coerce=optional_int, choices=choices([("", "As the association"), *WEEKDAY_CHOICES])
    )
    hour = IntegerField("Hour (0–23)", validators=[Optional(), NumberRange(0, 23)])
    timezone = StringField("Time zone", validators=[Optional(), Length(max=64)])


class InvitePersonForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])
    name = StringField("Name", validators=[Length(max=200), Readable()])
    role = SelectField("Role", choices=choices(PERSON_ROLE_CHOICES))
    store = SelectField("Store (store roles)", coerce=optional_int, validators=[Optional()])
    region = SelectField("Region (liaisons)", coerce=optional_int, validators=[Optional()])
    agency = StringField("Agency (liaisons)", validators=[Length(max=200), Readable()])
    badge_unit = StringField("Badge number or unit (liaisons)", validators=[Length(max=100), Readable()])


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=choices(STORE_ROLE_CHOICES + ASSOCIATION_ROLE_CHOICES))


class LiaisonForm(FlaskForm):
    agency = StringField("Agency", validators=[DataRequired("Enter the agency."), Length(max=200), Readable()])
    badge_unit = StringField("Badge number or unit", validators=[Length(max=100), Readable()])
    region = SelectField("Region", coerce=optional_int, validators=[Optional()])


class AuditFilterForm(FlaskForm):
    """Filters in the query string (a GET form: no CSRF token needed, nothing changes)."""

    class Meta:
        csrf = False

    person = StringField("Person (email)", validators=[Optional(), Length(max=254)])
    store = StringField("Store (web address)", validators=[Optional(), Length(max=63)])
    action = SelectField("Action", validators=[Optional()])
    since = DateField("From", validators=[Optional(), in_date_range])
    until = DateField("To", validators=[Optional(), in_date_range])
