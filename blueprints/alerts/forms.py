"""A person's email preferences: urgent alerts, quiet hours, and the regional digest."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, TimeField
from wtforms.validators import Optional

from alerts.urgent import DIGEST_CHOICES
from blueprints.form_helpers import CheckboxesField, choices
from i18n import _l
from models.store.logbook import INCIDENT_TYPES


class AlertPreferenceForm(FlaskForm):
    urgent_alerts = SelectField(
        _l("Urgent alerts by email"),
        choices=choices(
            [
                ("", _l("As my role says (on for store owners, managers and police liaisons)")),
                ("on", _l("Yes, email me urgent alerts")),
                ("off", _l("No, do not email me urgent alerts")),
            ]
        ),
        default="",
    )
    quiet_start = TimeField(
        _l("Quiet hours start"),
        validators=[Optional()],
        description=_l("Alerts and digests wait until your quiet hours end."),
    )
    quiet_end = TimeField(_l("Quiet hours end"), validators=[Optional()])
    digest_frequency = SelectField(_l("Regional digest"), choices=choices(DIGEST_CHOICES.items()), default="")
    followed_regions = CheckboxesField(
        _l("Regions I follow"), coerce=int, description=_l("The regions of your stores; untick one to stop its digest.")
    )
    incident_types = CheckboxesField(
        _l("Incident types in my digest"),
        choices=choices(INCIDENT_TYPES.items()),
        description=_l("Tick none to get every type."),
    )
