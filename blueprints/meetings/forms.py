"""Forms of the meetings part."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from blueprints.form_helpers import choices
from blueprints.store.forms import DATETIME_LOCAL_FORMATS, sane_year
from i18n import _l
from meetings.agendas import AGENDA_TEMPLATES

STATUS_CHOICES = [("planned", _l("Planned")), ("held", _l("Held")), ("cancelled", _l("Cancelled"))]


class MeetingForm(FlaskForm):
    contact_id = SelectField(
        _l("Police contact"),
        coerce=int,
        validate_choice=True,
        invalid_choice_message=_l("Choose one of your police contacts."),
    )
    title = StringField(
        _l("Title"),
        description=_l("Left blank, the agenda template's title is used."),
        validators=[Optional(), Length(max=200)],
    )
    starts_at = DateTimeLocalField(
        _l("Starts"),
        format=DATETIME_LOCAL_FORMATS,
        validators=[InputRequired(message=_l("Enter the date and time of the meeting.")), sane_year],
    )
    duration_minutes = IntegerField(
        _l("Duration (minutes)"),
        default=60,
        validators=[
            InputRequired(message=_l("Enter how long the meeting lasts.")),
            NumberRange(min=5, max=1440, message=_l("A meeting lasts between 5 minutes and 24 hours.")),
        ],
    )
    location = StringField(_l("Where"), default="At the store", validators=[DataRequired(), Length(max=300)])
    agenda_template = SelectField(
        _l("Agenda template"), choices=choices((t.key, t.label) for t in AGENDA_TEMPLATES), default="introduction"
    )
    agenda = TextAreaField(
        _l("Agenda"),
        description=_l("Left blank, the template's agenda is filled in; you can edit it any time."),
        validators=[Optional(), Length(max=10000)],
    )

    def set_contacts(self, contacts) -> None:
        self.contact_id.choices = choices((str(c.id), f"{c.officer_name} — {c.agency}") for c in contacts)


class InviteForm(FlaskForm):
    """ "Email the invitation to the officer" (CSRF only)."""


class OutcomeForm(FlaskForm):
    status = SelectField(_l("Status"), choices=choices(STATUS_CHOICES))
    minutes = TextAreaField(
        _l("Minutes"), description=_l("What was discussed and agreed."), validators=[Optional(), Length(max=20000)]
    )


class ActionForm(FlaskForm):
    description = StringField(
        _l("Follow-up action"), validators=[DataRequired(message=_l("Say what needs doing.")), Length(max=500)]
    )
    owner = StringField(_l("Who"), validators=[Optional(), Length(max=200)])
    due_on = DateField(_l("Due"), validators=[Optional(), sane_year])


class ActionDoneForm(FlaskForm):
    done = BooleanField(_l("Done"))
