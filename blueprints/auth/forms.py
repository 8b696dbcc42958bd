"""Forms of the sign-in area (Flask-WTF: CSRF on every one)."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from blueprints.form_helpers import Readable
from i18n import LANGUAGES, _, _l
from security.passwords import MAX_LENGTH, MIN_LENGTH

PASSWORD_HINT = f"{MIN_LENGTH} to {MAX_LENGTH} characters; a passphrase of a few words is easiest."


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=MAX_LENGTH * 4)])


class AcceptInvitationForm(FlaskForm):
    name = StringField("Your name", validators=[Length(max=200), Readable()])
    password = PasswordField(
        "Password", validators=[DataRequired(), Length(max=MAX_LENGTH * 4)], description=PASSWORD_HINT
    )
    confirm = PasswordField("Repeat the password", validators=[EqualTo("password", "The passwords differ.")])


class AcceptWithAccountForm(FlaskForm):
    """Accepting an invitation for an address that already has an account: prove it is yours."""

    password = PasswordField("Your Loupe password", validators=[DataRequired(), Length(max=MAX_LENGTH * 4)])


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        "New password", validators=[DataRequired(), Length(max=MAX_LENGTH * 4)], description=PASSWORD_HINT
    )
    confirm = PasswordField("Repeat the new password", validators=[EqualTo("password", "The passwords differ.")])


class ChangePasswordForm(FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired(), Length(max=MAX_LENGTH * 4)])
    password = PasswordField(
        "New password", validators=[DataRequired(), Length(max=MAX_LENGTH * 4)], description=PASSWORD_HINT
    )
    confirm = PasswordField("Repeat the new password", validators=[EqualTo("password", "The passwords differ.")])


class LogoutForm(FlaskForm):
    """Sign-out is a POST with a CSRF token, so no third-party page can sign a person out."""


class LanguageForm(FlaskForm):
    """The language a person reads Loupe in; "" follows the browser. Any other value fails validation (400)."""

    language = SelectField(_l("Language"), choices=[])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Each language in its own name (people look for their own); built per request as the first one is translated.
        self.language.choices = [("", _("The one my browser asks for"))] + list(LANGUAGES.items())
