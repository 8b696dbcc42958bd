"""The one home of languages: which ones Loupe speaks, which one a request is answered in, and the gettext calls.

Strings a person reads are marked with ``_`` (now) or ``_l`` (lazy: module-level constants, form labels, error
classes, anything built before a request's language is known). Templates get ``_`` and ``ngettext`` from
Flask-Babel's Jinja extension. Catalogs live in ``i18n/translations``; ``make translations`` compiles them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, request
from flask_babel import Babel, force_locale, get_locale, gettext, lazy_gettext, lazy_ngettext, ngettext

from i18n.formats import format_local, format_number

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "TRANSLATIONS",
    "_",
    "_l",
    "browser_language",
    "force_locale",
    "format_local",
    "format_number",
    "get_locale",
    "init_app",
    "language_or_default",
    "lazy_ngettext",
    "ngettext",
    "select_locale",
]

_ = gettext
_l = lazy_gettext


DEFAULT_LANGUAGE = "en"
# Code → the language's own name (shown in the picker in that language, as people look for their own).
LANGUAGES: dict[str, str] = {"en": "English", "fr_CA": "Français (Canada)", "es": "Español"}
TRANSLATIONS = Path(__file__).parent / "translations"

# Browser tags that mean one of ours: any French is served Canadian French, any Spanish our Spanish.
_BROWSER_MATCHES = {"en": "en", "fr": "fr_CA", "fr-ca": "fr_CA", "fr_ca": "fr_CA", "es": "es"}


def select_locale() -> str:
    """The request's language: the signed-in person's choice, else the browser's best match, else English."""
    from flask_login import current_user

    chosen = getattr(current_user, "language", None) if current_user else None
    if chosen in LANGUAGES:
        return chosen
    return browser_language()


def browser_language() -> str:
    """The best match of the request's Accept-Language among ours, else English (also outside a request)."""
    if not request:
        return DEFAULT_LANGUAGE
    for tag, _quality in request.accept_languages:
        tag = tag.lower()
        match = _BROWSER_MATCHES.get(tag) or _BROWSER_MATCHES.get(tag.split("-")[0])
        if match:
            return match
    return DEFAULT_LANGUAGE


def language_or_default(code: Any) -> str:
    """A stored or submitted language code if Loupe speaks it, else the default (for emails and jobs)."""
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


def init_app(app: Flask) -> None:
    """Wire Flask-Babel: the locale selector, the catalogs' folder, ``_``/``ngettext`` in templates."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    Babel(app, locale_selector=select_locale)
    # Dates and numbers in the reader's language: `{{ day|date_text('%d %b %Y') }}`, `{{ amount|number(2) }}`.
    app.jinja_env.filters["date_text"] = format_local
    app.jinja_env.filters["number"] = lambda value, digits=None: format_number(value, digits=digits)
    app.jinja_env.globals.setdefault("LANGUAGES", LANGUAGES)
    app.jinja_env.globals.setdefault("get_locale", get_locale)
