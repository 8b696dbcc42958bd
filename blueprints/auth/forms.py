"""Forms of the sign-in area (Flask-WTF: CSRF on every one)."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from blueprints.form_helpers import Readable
from i18n import LANGUAGES, _, _l
from security.passwords import MAX_LENGTH, MIN_LENGTH

PASSWORD_HINT = _l(
    "%(min)d to %(max)d characters; a passphrase of a few words is easiest.", min=MIN_LENGTH, max=MAX_LENGTH
)


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_LENGTH * 4)])


class AcceptInvitationForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[Length(max=200), Readable()])
    password = PasswordField(
        _l("Password"), validators=[DataRequired(), Length(max=MAX_LENGTH * 4)], description=PASSWORD_HINT
    )
    confirm = PasswordField(_l("Repeat the password"), validators=[EqualTo("password", _l("The passwords differ."))])


class AcceptWithAccountForm(FlaskForm):
    """Accepting an invitation for an address that already has an account: prove it is yours."""

    password = PasswordField(_l("Your Loupe password"), validators=[DataRequired(), Length(max=MAX_LENGTH * 4)])


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])


class ResetPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(max=MAX_LENGTH * 4)], description=PASSWORD_HINT
    )
    confirm = PasswordField(
        _l("Repeat the new password"), validators=[EqualTo("password", _l("The passwords differ."))]
    )


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=MAX_LENGTH * 4)])
    password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(max=MAX_LENGTH * 4)], description=PASSWORD_HINT
    )
    confirm = PasswordField(
        _l("Repeat the new password"), validators=[EqualTo("password", _l("The passwords differ."))]
    )


class LogoutForm(FlaskForm):
    """Sign-out is a POST with a CSRF token, so no third-party page can sign a person out."""


class LanguageForm(FlaskForm):
    """The language a person reads Loupe in; "" follows the browser. Any other value fails validation (400)."""

    language = SelectField(_l("Language"), choices=[])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Each language in its own name (people look for their own); built per request as the first one is translated.
        self.language.choices = [("", _("The one my browser asks for"))] + list(LANGUAGES.items())
