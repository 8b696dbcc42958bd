"""Operator console forms."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange

from blueprints.form_helpers import Readable
from regions import MAX_K, MIN_K


class RetryJobForm(FlaskForm):
    """Retry a failed job: a POST with a CSRF token."""


class ActionForm(FlaskForm):
    """A console button (suspend, unsuspend, approve, reject): a POST with a CSRF token."""


class CreateAssociationForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=200), Readable()])
    slug = StringField(
        "Address",
        validators=[DataRequired(), Length(max=50)],
        description="/a/<address>/: lowercase letters, digits, hyphens",
    )
    timezone = StringField(
        "Time zone",
        validators=[DataRequired(), Length(max=64)],
        default="Europe/London",
        description="e.g. Europe/London",
    )
    k_threshold = IntegerField(
        "Privacy threshold k",
        default=5,
        validators=[DataRequired(), NumberRange(MIN_K, MAX_K, f"k is between {MIN_K} and {MAX_K}.")],
        description="Stores an area or trend cell must rest on before it is named or published.",
    )
    admin_email = EmailField(
        "First admin's email",
        validators=[DataRequired(), Length(max=254)],
        description="Invited by email to set up the association.",
    )
    admin_name = StringField("First admin's name", validators=[Length(max=200), Readable()])


class SignupSettingsForm(FlaskForm):
    requires_approval = BooleanField("New sign-ups wait for my approval")
