"""Forms of sharing an incident with the region."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField

from blueprints.form_helpers import choices
from i18n import _l
from sharing.shares import DEFAULT_TLP, SHARE_TLPS

TLP_HELP = {
    "AMBER+STRICT": "member stores of the association only, not their partners",
    "AMBER": "member stores of the association (the default)",
    "GREEN": "members and partner agencies of the region; may go in the digest",
}
PHOTOS_LABEL = "Share the incident's photos (AMBER or stricter only; re-encoded without metadata)"
TLP_CHOICES = [(tlp.value, f"{tlp.label} — {TLP_HELP[tlp.value]}") for tlp in SHARE_TLPS]


class TlpPreviewForm(FlaskForm):
    """The TLP to preview with, read from the query string (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    tlp = SelectField(_l("Handling mark (TLP)"), choices=choices(TLP_CHOICES), default=DEFAULT_TLP.value)
    share_photos = BooleanField(PHOTOS_LABEL)


class ShareForm(FlaskForm):
    tlp = SelectField(_l("Handling mark (TLP)"), choices=choices(TLP_CHOICES), default=DEFAULT_TLP.value)
    # Carried over from the preview (a hidden field): the store confirms the photos it saw, not a fresh choice.
    share_photos = BooleanField(PHOTOS_LABEL)


class WithdrawForm(FlaskForm):
    """A POST with a CSRF token."""
