"""Forms of the admin portal's billing section (Flask-WTF: CSRF on every POST form)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from billing.plans import INTERVALS
from blueprints.form_helpers import choices
from i18n import _l


class StripeKeysForm(FlaskForm):
    """Password fields: what is typed is never sent back to the browser, not even after an error."""

    secret_key = PasswordField(
        _l("Secret key"),
        validators=[DataRequired(_l("Paste the secret key (sk_…).")), Length(max=255)],
        description=_l(
            "From Stripe's dashboard, Developers → API keys. Starts with sk_ (or rk_ for a restricted key)."
        ),
    )
    webhook_secret = PasswordField(
        _l("Webhook signing secret"),
        validators=[DataRequired(_l("Paste the webhook signing secret (whsec_…).")), Length(max=255)],
        description=_l("From the webhook endpoint you add in Stripe for the address shown above. Starts with whsec_."),
    )
    publishable_key = StringField(
        _l("Publishable key (optional)"),
        validators=[Optional(), Length(max=255)],
        description=_l("Starts with pk_; helps you tell which Stripe account is connected."),
    )


class PlanForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Give the plan a name.")), Length(max=100)])
    interval = SelectField(_l("Billed"), choices=choices(list(INTERVALS.items())))
    amount = StringField(
        _l("Amount"),
        validators=[DataRequired(_l("Enter the amount.")), Length(max=20)],
        description=_l("In the currency, e.g. 120.00."),
    )
    currency = StringField(
        _l("Currency"),
        default="eur",
        validators=[DataRequired(_l("Enter the currency.")), Length(min=3, max=3, message=_l("A three-letter code."))],
        description=_l("Three letters, e.g. EUR, USD, GBP."),
    )
