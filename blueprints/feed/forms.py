"""Forms of the regional feed."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, DateTimeLocalField, IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from blueprints.form_helpers import choices, id_range, in_date_range
from blueprints.logbook.forms import DATETIME_FORMATS
from i18n import _l
from models.bulletins import BULLETIN_KINDS, FEED_TLPS


class FeedFilterForm(FlaskForm):
    """The feed's filters, read from the query string (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    kind = SelectField("Type", choices=choices([("", "All types"), *BULLETIN_KINDS.items()]), default="")
    tlp = SelectField(
        "TLP", choices=choices([("", "Any TLP"), *[(value, f"TLP:{value}") for value in FEED_TLPS]]), default=""
    )
    area = SelectField("Area", choices=choices([("", "All areas")]), default="")
    since = DateField("From", validators=[Optional(), in_date_range])
    until = DateField("Until", validators=[Optional(), in_date_range])
    # The page key ("Older bulletins"): the last bulletin of the previous page. Not a visible field: changing a
    # filter starts again from the newest.
    before = IntegerField(
        "Older than", validators=[Optional(), id_range("That page of the feed does not exist: start from the newest.")]
    )


class HelpedForm(FlaskForm):
    """ "This helped": a POST with a CSRF token."""


class SightingForm(FlaskForm):
    note = TextAreaField(
        _l("What you saw"), validators=[DataRequired(_l("Say briefly what you saw.")), Length(max=1000)]
    )
    seen_at = DateTimeLocalField(
        _l("When"), format=DATETIME_FORMATS, validators=[InputRequired(_l("Say when.")), in_date_range]
    )
