"""Platform billing forms (CSRF like every form)."""

from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.validators import InputRequired


class ChoosePlanForm(FlaskForm):
    plan = SelectField("Plan", coerce=int, validators=[InputRequired("Choose a plan.")], validate_choice=True)


class PortalForm(FlaskForm):
    """ "Manage billing": a POST with a CSRF token."""
