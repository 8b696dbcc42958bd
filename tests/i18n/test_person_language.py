"""A person's own language (/account/language): chosen once, it wins over the browser on every page and in every
email sent to them, rendered by the worker (no request) through the real SMTP server. Dates and numbers follow it."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from flask import render_template_string
from sqlalchemy.orm import Session

from i18n import force_locale
from models import User
from tests.fixtures.web import post_form, sign_in


def _language_of(engines, user_id: int) -> str | None:
    with Session(engines.owner) as session:
        return session.scalar(sa.select(User.language).where(User.id == user_id))


def test_choosing_french_turns_the_pages_french_whatever_the_browser_says(app, engines, make_user):
    user = make_user()
    client = app.test_client()
    sign_in(client, user.email)
    page = client.get("/account/language")
    assert page.status_code == 200 and 'name="language"' in page.get_data(as_text=True)

    saved = post_form(client, "/account/language", {"language": "fr_CA"}, follow_redirects=True)
    text = saved.get_data(as_text=True)
    assert saved.status_code == 200
    assert '<html lang="fr-CA">' in text and "Votre langue" in text and "Langue enregistrée." in text
    assert _language_of(engines, user.id) == "fr_CA"
    # The browser asks for Spanish: the person's choice wins.
    assert '<html lang="fr-CA">' in client.get("/account/password", headers={"Accept-Language": "es"}).get_data(
        as_text=True
    )

    # Back to "follow my browser": NULL, and the browser's language again.
    post_form(client, "/account/language", {"language": ""})
    assert _language_of(engines, user.id) is None
    assert '<html lang="es">' in client.get("/account/password", headers={"Accept-Language": "es"}).get_data(
        as_text=True
    )


def test_a_language_loupe_does_not_speak_is_refused_and_nothing_is_stored(app, engines, make_user):
    user = make_user()
    client = app.test_client()
    sign_in(client, user.email)
    refused = post_form(client, "/account/language", {"language": "de"})
    assert refused.status_code == 400
    assert _language_of(engines, user.id) is None
    # Without the CSRF token: refused too.
    assert client.post("/account/language", data={"language": "es"}).status_code == 400
    assert _language_of(engines, user.id) is None


def test_the_language_page_needs_a_signed_in_person(app):
    response = app.test_client().get("/account/language")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_french_speaking_person_gets_a_french_email_rendered_by_the_worker(app, engines, smtp, make_user):
    french, english = make_user(), make_user()
    with Session(engines.owner) as session, session.begin():
        session.get(User, french.id).language = "fr_CA"
    # The forms are filled by an English browser: the email follows the recipient, not the request.
    post_form(app.test_client(), "/password/forgot", {"email": french.email})
    post_form(app.test_client(), "/password/forgot", {"email": english.email})

    [message] = smtp.to(french.email)
    assert message["Subject"] == "Réinitialisez votre mot de passe Loupe"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Bonjour Test Person," in text and "Choisissez-en un nouveau ici dans les 60 prochaines minutes" in text
    assert "Choisir un nouveau mot de passe" in html
    [other] = smtp.to(english.email)
    assert other["Subject"] == "Reset your Loupe password"
    assert "Hello Test Person," in other.get_body(("plain",)).get_content()


def test_dates_and_numbers_are_written_the_readers_way(app):
    moment = datetime(2026, 12, 4, 14, 30, tzinfo=UTC)
    template = "{{ d|date_text('%-d %B %Y') }} | {{ m|date_text('%d %b %Y, %H:%M') }} | {{ 1234.5|number }}"
    with app.test_request_context("/"):
        english = render_template_string(template, d=date(2026, 12, 4), m=moment)
        with force_locale("fr_CA"):
            french = render_template_string(template, d=date(2026, 12, 4), m=moment)
        with force_locale("es"):
            spanish = render_template_string(template, d=date(2026, 12, 4), m=moment)
    assert english == "4 December 2026 | 04 Dec 2026, 14:30 | 1,234.5"
    assert french.replace("\xa0", " ").replace("\u202f", " ") == "4 décembre 2026 | 4 déc. 2026, 14 h 30 | 1 234,5"
    assert spanish == "4 de diciembre de 2026 | 4 dic 2026, 14:30 | 1.234,5"


def test_store_time_writes_the_stores_wall_clock_in_the_readers_language(app, engines, make_world, make_store):
    """`store_time` keeps the store's zone (its association's here, Toronto) and changes only the words."""
    from flask import g
    from sqlalchemy.orm import joinedload

    from models import Association, Store

    world = make_world()
    with Session(engines.owner) as session, session.begin():
        session.get(Association, world.association.id).timezone = "America/Toronto"
    store = make_store(world)
    moment = datetime(2026, 12, 4, 19, 30, tzinfo=UTC)  # 14:30 in Toronto
    with Session(engines.owner) as session:
        loaded = session.get(Store, store.id, options=[joinedload(Store.association), joinedload(Store.region)])
        with app.test_request_context("/"):
            g.store = loaded
            english = render_template_string("{{ m|store_time }}", m=moment)
            with force_locale("fr_CA"):
                french = render_template_string("{{ m|store_time('%-d %B %Y, %H:%M') }}", m=moment)
    assert english == "04 Dec 2026, 14:30"
    assert french.replace("\xa0", " ").replace("\u202f", " ") == "4 décembre 2026, 14 h 30"


def test_the_api_token_page_writes_its_dates_in_french(app, engines, make_world, make_store, make_user):
    """The same API token page in English and French: the token's date in each language's own words."""
    world = make_world()
    store = make_store(world)
    user = make_user(store=store)
    client = app.test_client()
    sign_in(client, user.email)
    made = post_form(client, f"/s/{store.slug}/settings/api-tokens", {"name": "Caisse", "scopes": "bulletins:read"})
    assert made.status_code in (200, 302), made.get_data(as_text=True)[:500]
    english = client.get(f"/s/{store.slug}/settings/api-tokens").get_data(as_text=True)
    today = datetime.now(UTC)
    assert today.strftime("%d %b %Y") in english
    french = client.get(f"/s/{store.slug}/settings/api-tokens", headers={"Accept-Language": "fr-CA"}).get_data(
        as_text=True
    )
    with app.test_request_context("/"), force_locale("fr_CA"):
        from i18n import format_local

        expected = format_local(today, "%d %b %Y")
    assert expected in french and "Jetons d’API" in french
