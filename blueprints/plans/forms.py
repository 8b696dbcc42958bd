"""Forms of the emergency response plans."""

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from blueprints.form_helpers import choices, in_date_range
from i18n import _, _l


class AcknowledgeForm(FlaskForm):
    """ "I have read this plan" (CSRF only)."""


class PlanForm(FlaskForm):
    steps = TextAreaField(
        _l("Steps"), validators=[DataRequired(), Length(max=10000)], description=_l("One step per line, in order.")
    )
    call_tree = TextAreaField(
        _l("Who calls whom"),
        validators=[Optional(), Length(max=5000)],
        description=_l("One call per line, e.g. “Manager → police 999, then the owner”."),
    )
    review_due_on = DateField(
        _l("Review by"), validators=[DataRequired(message=_l("Give a date to review this plan by.")), in_date_range]
    )
    agreed_contact_id = SelectField(_l("Agreed with (police contact)"), coerce=lambda v: "" if v is None else str(v))
    agreed_with_name = StringField(
        _l("…or agreed with (name)"),
        validators=[Optional(), Length(max=200)],
        description=_l("If the officer is not among your police contacts."),
    )
    agreed_on = DateField(_l("Agreed on"), validators=[Optional(), in_date_range])

    def __init__(self, *args, contacts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.agreed_contact_id.choices = choices(
            [("", _("— not agreed with a listed contact —"))]
            + [(str(c.id), f"{c.officer_name} ({c.agency})") for c in contacts]
        )

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        who = self.agreed_contact_id.data or (self.agreed_with_name.data or "").strip()
        if self.agreed_contact_id.data and (self.agreed_with_name.data or "").strip():
            self.agreed_with_name.errors.append(_("Choose a contact or type a name, not both."))
            ok = False
        if who and self.agreed_on.data is None and not self.agreed_on.errors:
            self.agreed_on.errors.append(_("When was it agreed?"))
            ok = False
        if self.agreed_on.data is not None and not who:
            self.agreed_contact_id.errors.append(_("With whom was it agreed? Choose a contact or type a name."))
            ok = False
        return ok
