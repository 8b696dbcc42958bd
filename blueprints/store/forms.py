"""Forms of the store workspace."""

from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from blueprints.form_helpers import choices


class PoliceContactForm(FlaskForm):
    agency = StringField("Agency", validators=[DataRequired(), Length(max=200)])
    officer_name = StringField("Officer name", validators=[DataRequired(), Length(max=200)])
    rank_unit = StringField("Rank / unit", validators=[Optional(), Length(max=200)])
    phone = StringField("Phone", validators=[Optional(), Length(max=50)])
    email = EmailField("Email", validators=[Optional(), Email(check_deliverability=False), Length(max=254)])
    preferred_contact = SelectField(
        "Preferred contact", choices=choices([("phone", "Phone"), ("email", "Email"), ("visit", "In person")])
    )
    notes = TextAreaField("Notes", validators=[Optional(), Length(max=5000)])
