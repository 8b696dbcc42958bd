"""Forms of the outgoing webhook pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from blueprints.form_helpers import CheckboxesField, choices
from i18n import _l
from models.webhooks import WEBHOOK_EVENTS
from outgoing.events import TLP_ORDER
from outgoing.targets import MAX_URL_LENGTH


class SubscribeForm(FlaskForm):
    url = StringField(
        _l("Endpoint URL"),
        validators=[DataRequired(), Length(max=MAX_URL_LENGTH)],
        description=_l("A public https:// address of your system; Loupe POSTs signed JSON to it."),
    )
    events = CheckboxesField(
        _l("Events"),
        choices=choices(WEBHOOK_EVENTS.items()),
        validators=[DataRequired(message=_l("Choose at least one event."))],
    )
    max_tlp = SelectField(
        _l("Strictest TLP mark it may receive"),
        choices=choices((t, f"TLP:{t}") for t in TLP_ORDER),
        default="GREEN",
        description=_l("Bulletins marked stricter than this are not sent to this endpoint."),
    )


class ActionForm(FlaskForm):
    pass
