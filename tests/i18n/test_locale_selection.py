"""Which language a request is answered in (i18n.select_locale): the browser's choice when nobody is signed in."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("accept", "lang"),
    [
        ("fr-FR,fr;q=0.9,en;q=0.5", "fr-CA"),
        ("fr-CA", "fr-CA"),
        ("es-MX,es;q=0.9", "es"),
        ("de-DE,de;q=0.9,es;q=0.4", "es"),
        ("de-DE", "en"),
        ("", "en"),
    ],
)
def test_the_page_is_marked_with_the_language_the_browser_asked_for(app, accept, lang):
    response = app.test_client().get("/login", headers={"Accept-Language": accept} if accept else {})
    assert response.status_code == 200
    assert f'<html lang="{lang}">' in response.get_data(as_text=True)
