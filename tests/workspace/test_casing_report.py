# ruff: noqa: F811 (the fixtures `store` and `shop` are imported from the logbook tests, then used by name)
"""The casing report in one phone screen and its red flags (issue #19): the codes as structured data on the incident
(domain, without HTTP), and the one-screen form (the alert switch's default, "when" prefilled, refusals keep the
chips ticked and store nothing)."""

from __future__ import annotations

import io
import re
from datetime import datetime

import pytest
import sqlalchemy as sa

from logbook import incidents as services
from logbook import red_flags
from logbook.red_flags import UnknownRedFlag
from models import Incident, PoliceContact
from tests.fixtures.web import post_form, sign_in
from tests.workspace.test_logbook import LONDON, _casing_data, _described, _url, shop, store  # noqa: F401
from tests.workspace.test_uploads import gps_tagged_jpeg

# --- the list and its validation ----------------------------------------------------------------------------------


def test_the_list_is_the_industrys_ten_red_flags_each_with_words():
    assert len(red_flags.CODES) == 10 and len(set(red_flags.CODES)) == 10
    assert all(re.fullmatch(r"[a-z_]{3,30}", code) for code in red_flags.CODES)  # fits varchar(30)
    assert all(str(label).strip() for label in red_flags.RED_FLAGS.values())


def test_validated_keeps_the_lists_order_once_each_and_refuses_an_unknown_code():
    assert red_flags.validated(["wandering", "sunglasses", "wandering"]) == ["sunglasses", "wandering"]
    assert red_flags.validated([]) == []
    for bad in (["sunglasses", "balaclava"], ["SUNGLASSES"], [""], ["sunglasses "]):
        with pytest.raises(UnknownRedFlag):
            red_flags.validated(bad)
    assert red_flags.known(["nope", "hand_signals", None]) == ["hand_signals"]  # reading shared rows: skipped


# --- stored on the incident ---------------------------------------------------------------------------------------


def _file(session, codes):
    return services.file_casing_report(
        session,
        occurred_at=datetime(2026, 11, 27, 10, 5, tzinfo=LONDON),
        narrative="Asked about the alarm",
        person={},
        vehicle={},
        reported_by_user_id=None,
        red_flags=codes,
    )


def test_a_casing_report_stores_its_red_flags_as_codes(store, in_store):
    in_store(store, lambda s: _file(s, ["wandering", "group_of_three"]))
    stored = in_store(store, lambda s: s.scalars(sa.select(Incident.red_flags)).one())
    assert stored == ["wandering", "group_of_three"]  # the list's order
    # Searchable as data: an array containment query finds it.
    found = in_store(
        store, lambda s: s.scalar(sa.select(sa.func.count()).where(Incident.red_flags.contains(["wandering"])))
    )
    assert found == 1


def test_an_unknown_red_flag_stores_nothing(store, in_store):
    with pytest.raises(UnknownRedFlag):
        in_store(store, lambda s: _file(s, ["sunglasses", "DROP TABLE"]))
    assert in_store(store, lambda s: s.scalar(sa.select(sa.func.count()).select_from(Incident))) == 0


def test_editing_an_incident_without_chips_keeps_its_red_flags(store, in_store):
    incident_id = in_store(store, lambda s: _file(s, ["sunglasses"]).id)

    def edit(session):
        services.save_incident(session, _described(title="Renamed"), incident=session.get(Incident, incident_id))

    in_store(store, edit)
    assert in_store(store, lambda s: s.get(Incident, incident_id).red_flags) == ["sunglasses"]


def test_the_csv_export_lists_the_red_flags_in_words(store, in_store):
    in_store(store, lambda s: _file(s, ["hand_signals"]))
    incidents = in_store(store, lambda s: services.incidents_in_slice(s, types=None, since=None, until=None))
    text = services.incidents_csv(incidents, zone=LONDON)
    assert text.splitlines()[0].endswith(",red_flags") and "Hand signals" in text


# --- the one-screen form ------------------------------------------------------------------------------------------


def _switch(page: str) -> str:
    return re.search(r'<input[^>]*name="notify_police"[^>]*>', page).group(0)


def test_the_alert_switch_is_on_when_a_police_contact_has_an_email(client, shop):
    sign_in(client, shop["staff"].email)
    page = client.get(_url(shop["store"], "casing")).get_data(as_text=True)
    switch = _switch(page)
    assert "checked" in switch and 'role="switch"' in switch and "disabled" not in switch
    assert "PC Casey" in page and "TLP:RED" in page and "not to be forwarded" in page  # TLP in plain words
    # "When" is now on the store's clock.
    assert re.search(r'name="occurred_at"[^>]*value="' + datetime.now(LONDON).strftime("%Y-%m-%dT"), page)
    # The camera button, the ten chips, the details folded away (nothing typed in them yet).
    camera = re.search(r'<input[^>]*name="photos"[^>]*>', page).group(0)
    assert 'accept="image/*"' in camera and 'capture="environment"' in camera
    assert len(re.findall(r'<input[^>]*name="red_flags"', page)) == 10
    assert '<details class="casing-details">' in page
    # The button comes after everything the first screen asks (the details are folded above it).
    assert page.index('name="red_flags"') < page.index("Save casing report")


def test_the_alert_switch_is_off_and_explained_without_a_contact_email(app, client, shop, in_store):
    store = shop["store"]
    in_store(store, lambda s: s.execute(sa.update(PoliceContact).values(email="")))
    sign_in(client, shop["owner"].email)
    page = client.get(_url(store, "casing")).get_data(as_text=True)
    switch = _switch(page)
    assert "checked" not in switch and "disabled" in switch
    assert "none of the store’s police contacts has an email address" in page
    assert f"/s/{store.slug}/contacts/new" in page  # a manager is led to add one
    staff = app.test_client()
    sign_in(staff, shop["staff"].email)
    staff_page = staff.get(_url(store, "casing")).get_data(as_text=True)
    assert f"/s/{store.slug}/contacts/new" not in staff_page and f"/s/{store.slug}/contacts/" in staff_page


def test_a_report_with_chips_stores_them_and_emails_them_in_words(client, shop, in_store, smtp):
    store = shop["store"]
    sign_in(client, shop["staff"].email)
    data = _casing_data(red_flags=["sunglasses", "security_questions"])
    assert post_form(client, _url(store, "casing"), data).status_code == 302
    incident = in_store(store, lambda s: s.scalars(sa.select(Incident).where(Incident.is_casing_report)).one())
    assert incident.red_flags == ["sunglasses", "security_questions"]
    (message,) = smtp.messages
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "Red flags the store noticed:\n- Sunglasses\n- Asked about security, hours or schedules" in text
    page = client.get(_url(store, str(incident.id))).get_data(as_text=True)
    assert "Sunglasses" in page and "sunglasses" not in page.replace("Sunglasses", "")  # words, not codes


def test_a_refused_report_keeps_the_chips_ticked_and_the_details_open(client, shop, in_store, smtp):
    sign_in(client, shop["staff"].email)
    data = _casing_data(narrative="", red_flags=["hat_hood_low", "wandering"])
    response = post_form(client, _url(shop["store"], "casing"), data)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    ticked = re.findall(
        r'<input[^>]*checked[^>]*name="red_flags"[^>]*value="([a-z_]+)"|'
        r'<input[^>]*name="red_flags"[^>]*value="([a-z_]+)"[^>]*checked',
        body,
    )
    assert sorted(a or b for a, b in ticked) == ["hat_hood_low", "wandering"]
    assert '<details class="casing-details" open>' in body and 'value="Black cap, green jacket"' in body
    assert smtp.messages == []
    assert in_store(shop["store"], lambda s: s.scalar(sa.select(sa.func.count()).select_from(Incident))) == 1


def test_an_unknown_red_flag_code_is_refused_with_nothing_stored(client, shop, in_store, smtp):
    sign_in(client, shop["staff"].email)
    data = _casing_data(
        red_flags=["sunglasses", "made_up"], photos=(io.BytesIO(gps_tagged_jpeg()), "c.jpg", "image/jpeg")
    )
    response = post_form(client, _url(shop["store"], "casing"), data, content_type="multipart/form-data")
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "Choose red flags from the list." in body
    assert 'value="Black cap, green jacket"' in body
    assert smtp.messages == []
    assert in_store(shop["store"], lambda s: s.scalar(sa.select(sa.func.count()).select_from(Incident))) == 1


def test_the_full_incident_form_shows_the_chips_ticked_and_changes_them(client, shop, in_store):
    from tests.workspace.test_logbook import _form_data

    store = shop["store"]
    in_store(store, lambda s: s.execute(sa.update(Incident).where(Incident.id == 1).values(red_flags=["sunglasses"])))
    sign_in(client, shop["staff"].email)
    page = client.get(_url(store, "1/edit")).get_data(as_text=True)
    assert re.search(r'<input[^>]*checked[^>]*value="sunglasses"|<input[^>]*value="sunglasses"[^>]*checked', page)
    data = _form_data(red_flags=["wandering", "on_phone"])
    assert post_form(client, _url(store, "1/edit"), data).status_code == 302
    assert in_store(store, lambda s: s.get(Incident, 1).red_flags) == ["on_phone", "wandering"]
    refused = post_form(client, _url(store, "1/edit"), _form_data(red_flags=["nope"]))
    assert refused.status_code == 400
    assert in_store(store, lambda s: s.get(Incident, 1).red_flags) == ["on_phone", "wandering"]
