"""The public sign-up form (CSRF like every form)."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from blueprints.auth.forms import PASSWORD_HINT
from blueprints.form_helpers import Readable
from i18n import _l
from security.passwords import MAX_LENGTH


class SignupForm(FlaskForm):
    name = StringField(_l("Association name"), validators=[DataRequired(), Length(max=200), Readable()])
    slug = StringField(
        _l("Address"),
        validators=[DataRequired(), Length(max=50)],
        description=_l("Your portal's address: /a/<address>/ — lowercase letters, digits and hyphens."),
    )
    timezone = StringField(
        _l("Time zone"),
        validators=[DataRequired(), Length(max=64)],
        default="Europe/London",
        description=_l("e.g. Europe/London"),
    )
    # Named `email`: the per-email sign-up limit (blueprints.rate_limits) counts what is typed here.
    email = EmailField(
        _l("Your email"),
        validators=[DataRequired(), Length(max=254)],
        description=_l("We send a link to confirm it; it becomes your sign-in."),
    )
    person_name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=200), Readable()])
    password = PasswordField(
        _l("Password"), validators=[DataRequired(), Length(max=MAX_LENGTH * 4)], description=PASSWORD_HINT
    )
    confirm = PasswordField(_l("Repeat the password"), validators=[EqualTo("password", _l("The passwords differ."))])


class ConfirmForm(FlaskForm):
    """Confirming is a POST: a mail scanner that opens the link does not create anything."""
