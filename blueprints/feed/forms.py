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

    kind = SelectField(
        _l("Type"),
        choices=choices([("", _l("All types")), *[(key, _l(label)) for key, label in BULLETIN_KINDS.items()]]),
        default="",
    )
    tlp = SelectField(
        _l("TLP"), choices=choices([("", _l("Any TLP")), *[(value, f"TLP:{value}") for value in FEED_TLPS]]), default=""
    )
    area = SelectField(_l("Area"), choices=choices([("", _l("All areas"))]), default="")
    since = DateField(_l("From"), validators=[Optional(), in_date_range])
    until = DateField(_l("Until"), validators=[Optional(), in_date_range])
    # The page key ("Older bulletins"): the last bulletin of the previous page. Not a visible field: changing a
    # filter starts again from the newest.
    before = IntegerField(
        _l("Older than"),
        validators=[Optional(), id_range(_l("That page of the feed does not exist: start from the newest."))],
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
