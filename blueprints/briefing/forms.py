"""Forms of the security briefing."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from blueprints.form_helpers import choices, in_date_range

LONG = [Optional(), Length(max=5000)]


class BriefingForm(FlaskForm):
    alarm_system = StringField("Alarm system", validators=[Optional(), Length(max=200)])
    alarm_company = StringField("Monitoring company", validators=[Optional(), Length(max=200)])
    alarm_company_phone = StringField("Monitoring company phone", validators=[Optional(), Length(max=50)])
    alarm_notes = TextAreaField(
        "Alarm notes", validators=LONG, description="Zones, how the monitoring centre responds. Never the codes."
    )
    cameras = TextAreaField("Cameras", validators=LONG, description="How many, what kind, where recordings are kept.")
    camera_coverage = TextAreaField("Camera coverage", validators=LONG)
    camera_blind_spots = TextAreaField("Known blind spots", validators=LONG)
    opening_procedure = TextAreaField("Opening procedure", validators=LONG)
    closing_procedure = TextAreaField("Closing procedure", validators=LONG)
    panic_buttons = TextAreaField("Panic buttons", validators=LONG, description="Where they are and who they alert.")
    layout_notes = TextAreaField("Store layout", validators=LONG, description="Entrances, back door, stock room.")
    police_design_advice = TextAreaField(
        "Police advice on design and layout", validators=LONG, description="What the police suggested, and by whom."
    )
    last_reviewed_on = DateField("Last reviewed", validators=[Optional(), in_date_range])


class KeyholderForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    role = StringField("Role", validators=[Optional(), Length(max=200)], description="e.g. Owner, Manager.")
    phone = StringField("Phone", validators=[Optional(), Length(max=50)])
    holds_alarm_code = BooleanField("Holds the alarm code")


class SafeForm(FlaskForm):
    kind = SelectField("Kind", choices=choices([("safe", "Safe"), ("vault", "Vault")]))
    safe_type = StringField("Type", validators=[Optional(), Length(max=200)], description="Make and model.")
    rating = StringField(
        "Rating", validators=[Optional(), Length(max=100)], description="e.g. EN 1143-1 Grade IV, UL TL-30."
    )
    has_time_lock = BooleanField("Time lock")
    time_lock_delay_minutes = IntegerField(
        "Time-lock delay (minutes)", validators=[Optional(), NumberRange(min=0, max=24 * 60)]
    )
    location = StringField("Location", validators=[Optional(), Length(max=200)])

    def validate_time_lock_delay_minutes(self, field):
        if field.data and not self.has_time_lock.data:
            raise ValidationError("A delay needs a time lock: tick “Time lock” or clear the delay.")


class ConfirmForm(FlaskForm):
    """An empty form that carries the CSRF token of a delete button."""
