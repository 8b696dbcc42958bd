"""Operator console forms."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange

from blueprints.form_helpers import Readable
from i18n import _l
from regions import MAX_K, MIN_K


class RetryJobForm(FlaskForm):
    """Retry a failed job: a POST with a CSRF token."""


class ActionForm(FlaskForm):
    """A console button (suspend, unsuspend, approve, reject): a POST with a CSRF token."""


class CreateAssociationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200), Readable()])
    slug = StringField(
        _l("Address"),
        validators=[DataRequired(), Length(max=50)],
        description=_l("/a/<address>/: lowercase letters, digits, hyphens"),
    )
    # The picker's options are set by the view (blueprints.admin.forms.timezone_choices); the service checks the
    # name, so one typed into the request is refused in words.
    timezone = SelectField(
        _l("Time zone"),
        validators=[DataRequired(_l("Choose a time zone.")), Length(max=64)],
        default="Europe/London",
        validate_choice=False,
        description=_l("Digests are sent, and days counted, in this zone."),
    )
    k_threshold = IntegerField(
        _l("Privacy threshold k"),
        default=5,
        validators=[
            DataRequired(),
            NumberRange(MIN_K, MAX_K, _l("k is between %(min)s and %(max)s.", min=MIN_K, max=MAX_K)),
        ],
        description=_l(
            "The fewest member stores an area or trend must rest on before it is named or published; raising it"
            " protects stores better but hides small areas and quiet weeks."
        ),
    )
    admin_email = EmailField(
        _l("First admin's email"),
        validators=[DataRequired(), Length(max=254)],
        description=_l("Invited by email to set up the association."),
    )
    admin_name = StringField(_l("First admin's name"), validators=[Length(max=200), Readable()])


class SignupSettingsForm(FlaskForm):
    requires_approval = BooleanField(_l("New sign-ups wait for my approval"))
