"""Forms of the admin portal's billing section (Flask-WTF: CSRF on every POST form)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from billing.plans import INTERVALS
from blueprints.form_helpers import choices


class StripeKeysForm(FlaskForm):
    """Password fields: what is typed is never sent back to the browser, not even after an error."""

    secret_key = PasswordField(
        "Secret key",
        validators=[DataRequired("Paste the secret key (sk_…)."), Length(max=255)],
        description="From Stripe's dashboard, Developers → API keys. Starts with sk_ (or rk_ for a restricted key).",
    )
    webhook_secret = PasswordField(
        "Webhook signing secret",
        validators=[DataRequired("Paste the webhook signing secret (whsec_…)."), Length(max=255)],
        description="From the webhook endpoint you add in Stripe for the address shown above. Starts with whsec_.",
    )
    publishable_key = StringField(
        "Publishable key (optional)",
        validators=[Optional(), Length(max=255)],
        description="Starts with pk_; helps you tell which Stripe account is connected.",
    )


class PlanForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Give the plan a name."), Length(max=100)])
    interval = SelectField("Billed", choices=choices(list(INTERVALS.items())))
    amount = StringField(
        "Amount",
        validators=[DataRequired("Enter the amount."), Length(max=20)],
        description="In the currency, e.g. 120.00.",
    )
    currency = StringField(
        "Currency",
        default="eur",
        validators=[DataRequired("Enter the currency."), Length(min=3, max=3, message="A three-letter code.")],
        description="Three letters, e.g. EUR, USD, GBP.",
    )
