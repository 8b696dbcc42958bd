"""Forms of the admin portal's digest page: preview / send a test for a region and period."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from i18n import _l


class DigestPreviewForm(FlaskForm):
    # GET form (a preview changes nothing); the test send posts the same fields with a CSRF token.
    class Meta:
        csrf = False

    region = SelectField(_l("Region"), coerce=int, validators=[InputRequired(_l("Choose a region."))])
    period = StringField(
        _l("Period"),
        validators=[DataRequired(_l("Enter a week like 2026-W47 or a day like 2026-11-27.")), Length(max=40)],
        description=_l("An ISO week (2026-W47) or a day (2026-11-27)."),
    )
    member = SelectField(_l("As member"), coerce=int, default=0, description=_l("Applies their incident-type choice."))


class DigestTestForm(DigestPreviewForm):
    class Meta:
        csrf = True
