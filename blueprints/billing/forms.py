"""Forms of the store's billing page. Every action is a POST with a CSRF token; none takes an id of another
store (the store comes from the URL and the membership)."""

from flask_wtf import FlaskForm
from wtforms import RadioField
from wtforms.validators import InputRequired

from i18n import _l


class PayDuesForm(FlaskForm):
    plan = RadioField(_l("Dues plan"), coerce=int, validators=[InputRequired(message=_l("Choose a dues plan."))])


class ActionForm(FlaskForm):
    """Only the CSRF token: "Manage card and invoices", "Refresh status"."""
