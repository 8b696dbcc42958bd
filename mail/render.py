"""Rendering every email Loupe sends: a plain-text and an HTML part from templates under `templates/email/`.

Jinja autoescaping is on for the HTML part; header values are cleaned of line breaks so a user-entered name or
subject cannot inject headers.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template
from markupsafe import Markup


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def header_safe(value: str, limit: int = 250) -> str:
    """One line of header text: CR, LF and other control characters become spaces."""
    cleaned = "".join(" " if (ord(ch) < 32 or ord(ch) == 127) else ch for ch in value)
    return " ".join(cleaned.split())[:limit]


def render_email(name: str, subject: str, **context) -> RenderedEmail:
    """Render `templates/email/<name>.txt` and `.html` with `context`."""
    subject = header_safe(subject)
    text = render_template(f"email/{name}.txt", subject=subject, **context)
    html = render_template(f"email/{name}.html", subject=subject, **context)
    return RenderedEmail(subject=subject, text=text, html=html)


def render_part(name: str, **context) -> tuple[str, Markup]:
    """Render a shared part of several emails, `templates/email/_<name>.txt` and `.html`, to be passed into
    `render_email` (the HTML part as Markup: it was escaped when rendered here)."""
    text = render_template(f"email/_{name}.txt", **context)
    html = render_template(f"email/_{name}.html", **context)
    return text, Markup(html)
