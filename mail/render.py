"""Rendering every email Loupe sends: a plain-text and an HTML part from templates under `templates/email/`.

Jinja autoescaping is on for the HTML part; header values are cleaned of line breaks so a user-entered name or
subject cannot inject headers.

Each email is written in its recipient's language: `language=` (a person's: `language_or_default(user.language)`,
English for one who never chose; an address's: `recipient_language`) renders the subject and both parts under
`force_locale`; without it (None), the current language applies (the request's; English in a job). Subjects are lazy
strings (`_l(...)`) so they are translated here, with the body. Works in the worker too: jobs run in an app context,
which is all gettext needs.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

import sqlalchemy as sa
from flask import render_template
from markupsafe import Markup
from sqlalchemy.orm import Session

from i18n import force_locale, language_or_default
from models import User


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def header_safe(value: str, limit: int = 250) -> str:
    """One line of header text: CR, LF and other control characters become spaces."""
    cleaned = "".join(" " if (ord(ch) < 32 or ord(ch) == 127) else ch for ch in value)
    return " ".join(cleaned.split())[:limit]


@contextlib.contextmanager
def in_language(language: str | None) -> Iterator[None]:
    """Everything translated or formatted inside is in `language` (None: leave the current language alone)."""
    if language is None:
        yield
        return
    with force_locale(language_or_default(language)):
        yield


def recipient_language(session: Session, address: str) -> str | None:
    """The language of the person who has an account with this address (English when they never chose one, as
    for every account), or None when nobody has: then the current language applies (e.g. the inviter's)."""
    row = session.execute(sa.select(User.id, User.language).where(User.email == address.strip().lower())).first()
    return None if row is None else language_or_default(row.language)


def render_email(name: str, subject: object, *, language: str | None = None, **context) -> RenderedEmail:
    """Render `templates/email/<name>.txt` and `.html` with `context`, and the subject (a string or a lazy `_l`
    string), in `language` (the recipient's; None: the current one)."""
    with in_language(language):
        subject = header_safe(str(subject))
        text = render_template(f"email/{name}.txt", subject=subject, **context)
        html = render_template(f"email/{name}.html", subject=subject, **context)
    return RenderedEmail(subject=subject, text=text, html=html)


def render_part(name: str, **context) -> tuple[str, Markup]:
    """Render a shared part of several emails, `templates/email/_<name>.txt` and `.html`, to be passed into
    `render_email` (the HTML part as Markup: it was escaped when rendered here)."""
    text = render_template(f"email/_{name}.txt", **context)
    html = render_template(f"email/_{name}.html", **context)
    return text, Markup(html)
