"""Pages a signed-out person reads follow the browser: error pages, form errors (ours and WTForms' own), the
"please sign in" message and the pages of the sign-up. English stays the default (no Accept-Language)."""

from __future__ import annotations

from tests.fixtures.web import csrf_token

FRENCH = {"Accept-Language": "fr-CA,fr;q=0.9"}
SPANISH = {"Accept-Language": "es-MX,es;q=0.9"}


def test_the_not_found_page_speaks_the_browsers_language(app):
    client = app.test_client()
    english = client.get("/no-such-page").get_data(as_text=True)
    french = client.get("/no-such-page", headers=FRENCH).get_data(as_text=True)
    spanish = client.get("/no-such-page", headers=SPANISH).get_data(as_text=True)
    assert "Not found" in english and "There is nothing at this address." in english
    assert "Introuvable" in french and "Il n’y a rien à cette adresse." in french and "Retour à Loupe" in french
    assert "No encontrado" in spanish and "Volver a Loupe" in spanish


def test_form_errors_and_labels_are_french_and_what_was_typed_is_kept(app):
    client = app.test_client()
    page = client.get("/password/forgot", headers=FRENCH).get_data(as_text=True)
    assert "Mot de passe oublié?" in page and "Envoyez-moi un lien" in page
    refused = client.post(
        "/password/forgot", data={"csrf_token": csrf_token(page), "email": ""}, headers=FRENCH
    ).get_data(as_text=True)
    assert "Ce champ est requis." in refused  # WTForms' own message, in the request's language
    assert "Courriel" in refused  # our label


def test_a_protected_page_asks_to_sign_in_in_french(app):
    client = app.test_client()
    response = client.get("/account/language", headers=FRENCH, follow_redirects=True)
    assert "Veuillez vous connecter pour continuer." in response.get_data(as_text=True)


def test_the_sign_up_page_is_spanish_for_a_spanish_browser(app):
    page = app.test_client().get("/start/", headers=SPANISH).get_data(as_text=True)
    assert '<html lang="es">' in page
    assert "Empiece su asociación en Loupe" in page and "Nombre de la asociación" in page
