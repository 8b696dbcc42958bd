from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, TimeField
from wtforms.validators import Optional


class AlertPreferenceForm(FlaskForm):
    urgent_alerts = BooleanField("Email me urgent alerts for my stores' regions")
    quiet_start = TimeField(
        "Quiet hours start", validators=[Optional()], description="Alerts wait until your quiet hours end."
    )
    quiet_end = TimeField("Quiet hours end", validators=[Optional()])
