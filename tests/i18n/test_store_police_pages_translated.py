"""The store and police pages in French (Canada) and Spanish, from this lane's parts (i18n/parts/i18n2.*.po).

The parts are compiled into a temporary catalog folder that the app reads for these tests only (the merged catalogs
of i18n/translations are checked by the catalog test); every msgid of the parts has its translation, with the same
named placeholders, and the pages render in the browser's language.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from tests.bulletins.conftest import add_incident, sharing_world, signed_in  # noqa: F401 (sharing_world: fixture)
from tests.bulletins.test_sharing import FACTS
from tests.fixtures.web import sign_in
from tests.workspace.test_patrols import twin_stores  # noqa: F401 (fixture: two stores, contacts, a draft request)

PARTS = Path(__file__).resolve().parents[2] / "i18n" / "parts"
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sdr]")


def _catalog(language: str):
    with open(PARTS / f"i18n2.{language}.po", "rb") as f:
        return read_po(f, locale=language)


@pytest.mark.parametrize("language", ["fr_CA", "es"])
def test_every_msgid_of_the_parts_is_translated_with_its_placeholders(language):
    catalog = _catalog(language)
    messages = [m for m in catalog if m.id]
    assert len(messages) > 600
    for message in messages:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"untranslated: {message.id!r}"
        for index, string in enumerate(strings):
            # The singular may leave the count out ("Cette photo…"); every other form keeps every placeholder.
            wanted = set(PLACEHOLDER.findall(ids[min(index, len(ids) - 1)]))
            if index == 0 and len(ids) > 1:
                wanted -= {"%(num)d"}
            assert wanted <= set(PLACEHOLDER.findall(string)), (message.id, string)
    assert not list(catalog.check())


@pytest.fixture
def translated(app, tmp_path, monkeypatch):
    """The app reads the parts, compiled, instead of the merged catalogs (for this test only)."""
    for language in ("fr_CA", "es"):
        folder = tmp_path / language / "LC_MESSAGES"
        folder.mkdir(parents=True)
        with open(folder / "messages.mo", "wb") as f:
            write_mo(f, _catalog(language))
    babel = app.extensions["babel"]
    monkeypatch.setattr(babel, "translation_directories", [str(tmp_path)])
    with app.app_context():
        domain = babel.instance.domain_instance
    domain.cache.clear()  # translations already loaded from the merged catalogs
    yield app
    domain.cache.clear()


def test_the_briefing_and_a_patrol_request_read_in_french(translated, client, twin_stores):  # noqa: F811
    a = twin_stores["a"]
    sign_in(client, twin_stores["owner_a"].email)
    french = {"Accept-Language": "fr-CA"}
    briefing = client.get(f"/s/{a.slug}/briefing/", headers=french).get_data(as_text=True)
    assert "Fiche de sécurité" in briefing and "Détenteurs de clés" in briefing and "Keyholders" not in briefing
    form = client.get(f"/s/{a.slug}/patrols/new", headers=french).get_data(as_text=True)
    assert "Nouvelle demande de patrouille" in form and "Ce que la police doit savoir" in form
    assert "Enregistrer le brouillon" in form and "Transport de marchandises" in form  # a lazy choice label
    page = client.get(f"/s/{a.slug}/patrols/1", headers=french).get_data(as_text=True)
    assert "Envoyer à la police" in page and "Registre des patrouilles" in page and "Brouillon" in page


def test_a_patrol_request_reads_in_spanish(translated, client, twin_stores):  # noqa: F811
    a = twin_stores["a"]
    sign_in(client, twin_stores["owner_a"].email)
    page = client.get(f"/s/{a.slug}/patrols/1", headers={"Accept-Language": "es-MX"}).get_data(as_text=True)
    assert "Enviar a la policía" in page and "Registro de patrullajes" in page and "Patrol log" not in page


def test_english_stays_the_default(translated, client, twin_stores):  # noqa: F811
    a = twin_stores["a"]
    sign_in(client, twin_stores["owner_a"].email)
    page = client.get(f"/s/{a.slug}/patrols/1").get_data(as_text=True)
    assert "Send to police" in page and "Patrol log" in page


def test_the_share_page_reads_in_french(translated, sharing_world, in_store):  # noqa: F811
    incident_id = add_incident(in_store, sharing_world.source, FACTS)
    owner = signed_in(translated, sharing_world.owner)
    page = owner.get(sharing_world.share_url(incident_id), headers={"Accept-Language": "fr-CA"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<h1>Partager avec la région</h1>" in html and "Partager en TLP:AMBER" in html and "Vêtements" in html
    assert "Mettre à jour l'aperçu" in html  # a translation is trusted text, as its msgid is
    assert "Share with the region" not in html and "Update the preview" not in html
    assert 'class="scrubbed"' in html and "[name]" in html  # the preview still marks what it removed
