"""Forms of the store's people page."""

from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length

from blueprints.form_helpers import Readable, choices

ROLE_CHOICES = choices([("staff", "Staff"), ("manager", "Manager"), ("owner", "Owner")])


class InviteForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])
    name = StringField("Name", validators=[Length(max=200), Readable()])
    role = SelectField("Role", choices=ROLE_CHOICES)


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=ROLE_CHOICES)


class RemoveForm(FlaskForm):
    """Removing a member: a POST with a CSRF token."""
