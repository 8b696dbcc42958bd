"""Platform billing forms (CSRF like every form)."""

from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.validators import InputRequired

from i18n import _l


class ChoosePlanForm(FlaskForm):
    plan = SelectField(_l("Plan"), coerce=int, validators=[InputRequired(_l("Choose a plan."))], validate_choice=True)


class PortalForm(FlaskForm):
    """ "Manage billing": a POST with a CSRF token."""
