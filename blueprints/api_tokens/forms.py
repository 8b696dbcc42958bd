"""Forms of the API token pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from apitokens.tokens import NAME_LENGTH
from blueprints.form_helpers import CheckboxesField, choices
from i18n import _l


class NewTokenForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(), Length(max=NAME_LENGTH)],
        description=_l("What will use it, e.g. “Point of sale” or “Member database sync”."),
    )
    scopes = CheckboxesField(
        _l("Permissions"), validators=[DataRequired(message=_l("Choose at least one permission."))]
    )

    def __init__(self, scopes: dict[str, str], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.scopes.choices = choices((name, f"{name} — {text}") for name, text in scopes.items())


class RevokeForm(FlaskForm):
    pass
