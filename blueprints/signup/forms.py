"""The public sign-up form (CSRF like every form)."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from blueprints.auth.forms import PASSWORD_HINT
from blueprints.form_helpers import Readable
from security.passwords import MAX_LENGTH


class SignupForm(FlaskForm):
    name = StringField("Association name", validators=[DataRequired(), Length(max=200), Readable()])
    slug = StringField(
        "Address",
        validators=[DataRequired(), Length(max=50)],
        description="Your portal's address: /a/<address>/ — lowercase letters, digits and hyphens.",
    )
    timezone = StringField(
        "Time zone",
        validators=[DataRequired(), Length(max=64)],
        default="Europe/London",
        description="e.g. Europe/London",
    )
    # Named `email`: the per-email sign-up limit (blueprints.rate_limits) counts what is typed here.
    email = EmailField(
        "Your email",
        validators=[DataRequired(), Length(max=254)],
        description="We send a link to confirm it; it becomes your sign-in.",
    )
    person_name = StringField("Your name", validators=[DataRequired(), Length(max=200), Readable()])
    password = PasswordField(
        "Password", validators=[DataRequired(), Length(max=MAX_LENGTH * 4)], description=PASSWORD_HINT
    )
    confirm = PasswordField("Repeat the password", validators=[EqualTo("password", "The passwords differ.")])


class ConfirmForm(FlaskForm):
    """Confirming is a POST: a mail scanner that opens the link does not create anything."""
