"""A person's email preferences: urgent alerts, quiet hours, and the regional digest."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, TimeField
from wtforms.validators import Optional

from alerts.urgent import DIGEST_CHOICES
from blueprints.form_helpers import CheckboxesField, choices
from models.store.logbook import INCIDENT_TYPES


class AlertPreferenceForm(FlaskForm):
    urgent_alerts = SelectField(
        "Urgent alerts by email",
        choices=choices(
            [
                ("", "As my role says (on for store owners, managers and police liaisons)"),
                ("on", "Yes, email me urgent alerts"),
                ("off", "No, do not email me urgent alerts"),
            ]
        ),
        default="",
    )
    quiet_start = TimeField(
        "Quiet hours start",
        validators=[Optional()],
        description="Alerts and digests wait until your quiet hours end.",
    )
    quiet_end = TimeField("Quiet hours end", validators=[Optional()])
    digest_frequency = SelectField("Regional digest", choices=choices(DIGEST_CHOICES.items()), default="")
    followed_regions = CheckboxesField(
        "Regions I follow", coerce=int, description="The regions of your stores; untick one to stop its digest."
    )
    incident_types = CheckboxesField(
        "Incident types in my digest",
        choices=choices(INCIDENT_TYPES.items()),
        description="Tick none to get every type.",
    )
