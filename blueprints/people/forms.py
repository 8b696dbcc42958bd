"""Forms of the store's people page."""

from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length

from blueprints.form_helpers import Readable, choices
from i18n import _l

ROLE_CHOICES = choices([("staff", _l("Staff")), ("manager", _l("Manager")), ("owner", _l("Owner"))])


class InviteForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])
    name = StringField(_l("Name"), validators=[Length(max=200), Readable()])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)


class RemoveForm(FlaskForm):
    """Removing a member: a POST with a CSRF token."""
