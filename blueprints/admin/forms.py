"""Forms of the admin portal (Flask-WTF: CSRF on every POST form)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, EmailField, HiddenField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from blueprints.form_helpers import Readable, choices, in_date_range
from i18n import _l
from regions import MAX_K, MIN_K
from regions.regions import timezone_groups

WEEKDAY_CHOICES = [
    (str(i), d)
    for i, d in enumerate(
        (_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"), _l("Saturday"), _l("Sunday"))
    )
]
FREQUENCY_CHOICES = [("weekly", _l("Weekly")), ("daily", _l("Daily"))]
# Least privileged first: the invite form starts on "Store staff" (an admin raises it on purpose, never by default).
PERSON_ROLE_CHOICES = [
    ("staff", _l("Store staff")),
    ("manager", _l("Store manager")),
    ("owner", _l("Store owner")),
    ("liaison", _l("Police liaison")),
    ("admin", _l("Association staff (administrator)")),
]
ASSOCIATION_ROLE_CHOICES = [("admin", _l("Association staff")), ("liaison", _l("Police liaison"))]
STORE_ROLE_CHOICES = [("owner", _l("Owner")), ("manager", _l("Manager")), ("staff", _l("Staff"))]


def optional_int(value):
    """Coerce a select's value: '' (nothing chosen) is None, anything else must be an integer."""
    if value in (None, "", "None"):
        return None
    return int(value)


def with_blank(pairs, label="—"):
    return choices([("", label), *[(str(v), lab) for v, lab in pairs]])


def timezone_choices(current: str | None = None, blank: str | None = None) -> list[SelectChoice]:
    """The time zone picker's options, grouped by continent; a current value outside the list (a legacy alias
    chosen before the picker existed) is kept at the top so saving the form does not change it."""
    options = [SelectChoice("", blank)] if blank is not None else []
    listed = {zone for _area, zones in timezone_groups() for zone in zones}
    if current and current not in listed:
        options.append(SelectChoice(current, current))
    for area, zones in timezone_groups():
        options += [SelectChoice(zone, zone.split("/", 1)[-1].replace("_", " "), optgroup=area) for zone in zones]
    return options


# The checked file carried by "Import these N stores" (base64 in a hidden field, under the form-memory limit of
# Werkzeug, 500 kB); a larger file is imported by sending it again with "Dry run" unticked.
CHECKED_CSV_MAX = 400_000


class ConfirmForm(FlaskForm):
    """A button that changes something: a POST with a CSRF token."""


class InviteStoreForm(FlaskForm):
    name = StringField(_l("Store name"), validators=[DataRequired(_l("Enter the store's name.")), Length(max=200)])
    slug = StringField(
        _l("Web address (optional)"),
        validators=[Optional(), Length(max=50)],
        description=_l("Lower-case letters, digits and hyphens; made from the name when left empty."),
    )
    region = SelectField(_l("Region"), coerce=optional_int, validators=[DataRequired(_l("Choose a region."))])
    area = SelectField(_l("Area (optional)"), coerce=optional_int, validators=[Optional()])
    owner_email = EmailField(
        _l("Owner's email"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)]
    )
    owner_name = StringField(
        "Owner's name", validators=[DataRequired(_l("Enter the owner's name.")), Length(max=200), Readable()]
    )


class MoveStoreForm(FlaskForm):
    region = SelectField(_l("New region"), coerce=optional_int, validators=[DataRequired(_l("Choose a region."))])
    area = SelectField(_l("Area (optional)"), coerce=optional_int, validators=[Optional()])


class RemoveStoreForm(FlaskForm):
    confirm_slug = StringField(
        _l("Type the store's web address to confirm"), validators=[DataRequired(), Length(max=63)]
    )
    understood = BooleanField(
        _l("I understand the store's workspace and data will be deleted after the grace period."),
        validators=[DataRequired(_l("Tick the box to confirm."))],
    )


class ImportForm(FlaskForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file."))])
    dry_run = BooleanField(_l("Dry run: check the file only, import nothing"), default=True)


class ImportConfirmForm(FlaskForm):
    """ "Import these N stores" after a clean dry run: the checked file travels back, and is checked again."""

    checked_csv = HiddenField(validators=[DataRequired(), Length(max=CHECKED_CSV_MAX)])


class RegionForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter a name.")), Length(max=200)])
    slug = StringField(_l("Short name (optional)"), validators=[Optional(), Length(max=50)])


class AreaForm(RegionForm):
    pass


class RenameForm(FlaskForm):
    name = StringField(_l("New name"), validators=[DataRequired(_l("Enter a name.")), Length(max=200)])


class MergeForm(FlaskForm):
    keep = SelectField(_l("Keep this region"), coerce=optional_int, validators=[DataRequired(_l("Choose a region."))])
    merge = SelectField(
        _l("Merge this region into it"), coerce=optional_int, validators=[DataRequired(_l("Choose a region."))]
    )


class SettingsForm(FlaskForm):
    k_threshold = IntegerField(
        _l("Privacy threshold (k)"),
        validators=[DataRequired(), NumberRange(MIN_K, MAX_K)],
        description=_l("The fewest member stores an area or trend must rest on before it is named or published."),
    )
    frequency = SelectField(_l("Digest"), choices=choices(FREQUENCY_CHOICES))
    weekday = SelectField(_l("Weekday (weekly digest)"), coerce=int, choices=choices(WEEKDAY_CHOICES))
    hour = IntegerField(_l("Hour (0–23)"), validators=[InputRequired(_l("Enter an hour.")), NumberRange(0, 23)])
    # A picker of IANA zones (regions.timezone_groups); the server checks the name (an unknown one is a 400).
    timezone = SelectField(
        _l("Time zone"),
        validators=[DataRequired(_l("Choose a time zone.")), Length(max=64)],
        validate_choice=False,
        description=_l("Digests are sent, and days counted, in this zone. Start typing a city to jump to it."),
    )


class RegionSettingsForm(FlaskForm):
    k_threshold = IntegerField(_l("Privacy threshold (k)"), validators=[Optional(), NumberRange(MIN_K, MAX_K)])
    frequency = SelectField(_l("Digest"), choices=choices([("", _l("As the association")), *FREQUENCY_CHOICES]))
    weekday = SelectField(
        _l("Weekday"), coerce=optional_int, choices=choices([("", _l("As the association")), *WEEKDAY_CHOICES])
    )
    hour = IntegerField(_l("Hour (0–23)"), validators=[Optional(), NumberRange(0, 23)])
    timezone = SelectField(_l("Time zone"), validators=[Optional(), Length(max=64)], validate_choice=False)


class InvitePersonForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])
    name = StringField(_l("Name"), validators=[Length(max=200), Readable()])
    role = SelectField(_l("Role"), choices=choices(PERSON_ROLE_CHOICES), default="staff")
    store = SelectField(_l("Store (store roles)"), coerce=optional_int, validators=[Optional()])
    region = SelectField(_l("Region (liaisons)"), coerce=optional_int, validators=[Optional()])
    agency = StringField(_l("Agency (liaisons)"), validators=[Length(max=200), Readable()])
    badge_unit = StringField(_l("Badge number or unit (liaisons)"), validators=[Length(max=100), Readable()])


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=choices(STORE_ROLE_CHOICES + ASSOCIATION_ROLE_CHOICES))


class LiaisonForm(FlaskForm):
    agency = StringField(_l("Agency"), validators=[DataRequired(_l("Enter the agency.")), Length(max=200), Readable()])
    badge_unit = StringField(_l("Badge number or unit"), validators=[Length(max=100), Readable()])
    region = SelectField(_l("Region"), coerce=optional_int, validators=[Optional()])


class AuditFilterForm(FlaskForm):
    """Filters in the query string (a GET form: no CSRF token needed, nothing changes)."""

    class Meta:
        csrf = False

    person = StringField(_l("Person (email)"), validators=[Optional(), Length(max=254)])
    store = StringField(_l("Store (web address)"), validators=[Optional(), Length(max=63)])
    action = SelectField(_l("Action"), validators=[Optional()])
    since = DateField(_l("From"), validators=[Optional(), in_date_range])
    until = DateField(_l("To"), validators=[Optional(), in_date_range])
