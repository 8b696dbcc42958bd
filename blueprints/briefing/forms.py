"""Forms of the security briefing."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from blueprints.form_helpers import choices, in_date_range
from i18n import _, _l

LONG = [Optional(), Length(max=5000)]


class BriefingForm(FlaskForm):
    alarm_system = StringField(_l("Alarm system"), validators=[Optional(), Length(max=200)])
    alarm_company = StringField(_l("Monitoring company"), validators=[Optional(), Length(max=200)])
    alarm_company_phone = StringField(_l("Monitoring company phone"), validators=[Optional(), Length(max=50)])
    alarm_notes = TextAreaField(
        _l("Alarm notes"),
        validators=LONG,
        description=_l("Zones, how the monitoring centre responds. Never the codes."),
    )
    cameras = TextAreaField(
        _l("Cameras"), validators=LONG, description=_l("How many, what kind, where recordings are kept.")
    )
    camera_coverage = TextAreaField(_l("Camera coverage"), validators=LONG)
    camera_blind_spots = TextAreaField(_l("Known blind spots"), validators=LONG)
    opening_procedure = TextAreaField(_l("Opening procedure"), validators=LONG)
    closing_procedure = TextAreaField(_l("Closing procedure"), validators=LONG)
    panic_buttons = TextAreaField(
        _l("Panic buttons"), validators=LONG, description=_l("Where they are and who they alert.")
    )
    layout_notes = TextAreaField(
        _l("Store layout"), validators=LONG, description=_l("Entrances, back door, stock room.")
    )
    police_design_advice = TextAreaField(
        _l("Police advice on design and layout"),
        validators=LONG,
        description=_l("What the police suggested, and by whom."),
    )
    last_reviewed_on = DateField(_l("Last reviewed"), validators=[Optional(), in_date_range])


class KeyholderForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    role = StringField(_l("Role"), validators=[Optional(), Length(max=200)], description=_l("e.g. Owner, Manager."))
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=50)])
    holds_alarm_code = BooleanField(_l("Holds the alarm code"))


class SafeForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=choices([("safe", _l("Safe")), ("vault", _l("Vault"))]))
    safe_type = StringField(_l("Type"), validators=[Optional(), Length(max=200)], description=_l("Make and model."))
    rating = StringField(
        _l("Rating"), validators=[Optional(), Length(max=100)], description=_l("e.g. EN 1143-1 Grade IV, UL TL-30.")
    )
    has_time_lock = BooleanField(_l("Time lock"))
    time_lock_delay_minutes = IntegerField(
        _l("Time-lock delay (minutes)"), validators=[Optional(), NumberRange(min=0, max=24 * 60)]
    )
    location = StringField(_l("Location"), validators=[Optional(), Length(max=200)])

    def validate_time_lock_delay_minutes(self, field):
        if field.data and not self.has_time_lock.data:
            raise ValidationError(_("A delay needs a time lock: tick “Time lock” or clear the delay."))


class ConfirmForm(FlaskForm):
    """An empty form that carries the CSRF token of a delete button."""
