"""The suspicious-incident logbook: domain functions, views, photos, CSV export, casing reports, isolation."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from PIL import ExifTags, Image
from sqlalchemy.orm import Session

from audit import Actor
from errors import DomainError, NotFound
from logbook import incidents as services
from logbook.casing_links import CasingLink, incident_for_link
from logbook.incidents import DescribedIncident, LogbookQuery
from models import (
    Association,
    AuditEntry,
    Incident,
    IncidentPerson,
    IncidentPhoto,
    IncidentVehicle,
    OutboundEmail,
    PoliceContact,
    ReviewGrant,
    Role,
)
from models.store.logbook import INCIDENT_TYPES
from review.grants import slice_incidents, slice_photo
from security.csv_cells import formula_safe
from security.uploads import check_image
from tests.fixtures.web import csrf_token, post_form, sign_in
from tests.workspace.test_uploads import count_decodes, flat_png, gps_tagged_jpeg, image_bytes

LONDON = ZoneInfo("Europe/London")
FMT = "%Y-%m-%dT%H:%M"


def _at(day: date, hour: int = 12) -> datetime:
    """A London wall-clock time as UTC, as the views store it."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=LONDON).astimezone(UTC)


def _described(**overrides) -> DescribedIncident:
    values = {
        "occurred_at": _at(date(2026, 3, 10)),
        "incident_type": "suspicious_person",
        "title": "Man photographing the display cases",
        "narrative": "Took photos of the ring case and the back door.",
        "people": [{"clothing": "Grey hoodie", "build": "slim", "height": "about 1.80 m"}],
        "vehicles": [{"make": "Ford", "model": "Focus", "colour": "blue", "plate": "AB12 CDE"}],
    }
    values.update(overrides)
    return DescribedIncident(**values)


def _london(engines, world) -> None:
    with Session(engines.owner) as session, session.begin():
        session.execute(
            sa.update(Association).where(Association.id == world.association.id).values(timezone="Europe/London")
        )


@pytest.fixture
def store(engines, make_world, make_store):
    world = make_world()
    _london(engines, world)
    return make_store(world, "Logbook Jewels")


# --- domain functions, without HTTP -----------------------------------------------------------------------------


def test_save_incident_keeps_people_and_vehicles_and_skips_blank_rows(store, in_store):
    def run(session):
        incident = services.save_incident(
            session,
            _described(
                people=[{"clothing": "  Grey hoodie  ", "build": ""}, {"clothing": " ", "behaviour": ""}],
                vehicles=[{}, {"plate": "XY99 ZZZ"}],
                police_notified=False,
                police_report_number="CAD-123",
            ),
            reported_by_user_id=42,
        )
        return (
            [p.clothing for p in incident.people],
            [v.plate for v in incident.vehicles],
            incident.police_report_number,
            incident.reported_by_user_id,
            incident.is_casing_report,
        )

    assert in_store(store, run) == (["Grey hoodie"], ["XY99 ZZZ"], "", 42, False)


def test_editing_replaces_people_and_vehicles(store, in_store):
    incident_id = in_store(store, lambda s: services.save_incident(s, _described()).id)

    def edit(session):
        incident = services.get_incident(session, incident_id)
        services.save_incident(
            session, _described(title="Edited", people=[], vehicles=[{"plate": "NEW 1"}]), incident=incident
        )

    in_store(store, edit)
    counts = in_store(
        store,
        lambda s: (
            s.scalar(sa.select(sa.func.count()).select_from(IncidentPerson)),
            s.scalars(sa.select(IncidentVehicle.plate)).all(),
            s.get(Incident, incident_id).title,
        ),
    )
    assert counts == (0, ["NEW 1"], "Edited")


def test_unknown_types_and_missing_incidents_are_refused(store, in_store):
    with pytest.raises(DomainError, match="type of incident"):
        in_store(store, lambda s: services.save_incident(s, _described(incident_type="robbery")))
    with pytest.raises(NotFound):
        in_store(store, lambda s: services.get_incident(s, 999))


def _seed_three(session):
    services.save_incident(session, _described(title="Early casing", incident_type="casing"))
    services.save_incident(
        session,
        _described(
            occurred_at=_at(date(2026, 3, 20), hour=0),  # 00:00 London = 00:00 UTC (before summer time)
            title="Card fraud call",
            incident_type="phone_email_scam",
            narrative="Caller claimed a 100% refund was due.",
            people=[],
            vehicles=[],
        ),
    )
    services.save_incident(
        session,
        _described(
            occurred_at=_at(date(2026, 7, 1), hour=0),  # 00:00 BST = 23:00 UTC the day before
            title="Van outside at closing",
            incident_type="suspicious_vehicle",
            narrative="Waited across the road",
            people=[{"asked_about": "closing_time"}],
            vehicles=[{"colour": "white", "plate": "VAN 42"}],
        ),
    )


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        (LogbookQuery(), ["Van outside at closing", "Card fraud call", "Early casing"]),
        (LogbookQuery(types=("casing", "phone_email_scam")), ["Card fraud call", "Early casing"]),
        (LogbookQuery(since=date(2026, 3, 20)), ["Van outside at closing", "Card fraud call"]),
        (LogbookQuery(until=date(2026, 3, 19)), ["Early casing"]),
        # 1 July 00:00 London is 30 June 23:00 UTC: the local day decides.
        (LogbookQuery(since=date(2026, 7, 1), until=date(2026, 7, 1)), ["Van outside at closing"]),
        (LogbookQuery(until=date(2026, 6, 30), since=date(2026, 6, 30)), []),
        (LogbookQuery(text="van"), ["Van outside at closing"]),
        (LogbookQuery(text="vAn 42"), ["Van outside at closing"]),  # every word, anywhere (plate)
        (LogbookQuery(text="hoodie"), ["Early casing"]),  # a person's clothing
        (LogbookQuery(text="ab12"), ["Early casing"]),  # a vehicle's plate
        (LogbookQuery(text="100%"), ["Card fraud call"]),
        (LogbookQuery(text="%"), ["Card fraud call"]),  # a literal %, not "anything"
        (LogbookQuery(text="_"), ["Van outside at closing"]),  # only "closing_time" has an underscore
        (LogbookQuery(text="\\"), []),
        (LogbookQuery(text="casing", types=("phone_email_scam",)), []),
    ],
)
def test_search_filters_by_type_local_days_and_words(store, in_store, query, titles):
    in_store(store, _seed_three)
    page = in_store(store, lambda s: services.search_incidents(s, query, zone=LONDON))
    assert [i.title for i in page.incidents] == titles
    assert page.total == len(titles)


def test_search_pages(store, in_store, monkeypatch):
    monkeypatch.setattr(services, "PAGE_SIZE", 2)
    in_store(store, _seed_three)
    first = in_store(store, lambda s: services.search_incidents(s, LogbookQuery(), zone=LONDON, page=1))
    second = in_store(store, lambda s: services.search_incidents(s, LogbookQuery(), zone=LONDON, page=2))
    assert (len(first.incidents), first.has_next, first.has_previous) == (2, True, False)
    assert ([i.title for i in second.incidents], second.has_next, second.has_previous) == (
        ["Early casing"],
        False,
        True,
    )


def test_incidents_in_slice_for_police_review(store, in_store):
    in_store(store, _seed_three)

    def titles(**kwargs):
        return in_store(store, lambda s: [i.title for i in services.incidents_in_slice(s, **kwargs)])

    assert titles(types=None, since=None, until=None) == ["Early casing", "Card fraud call", "Van outside at closing"]
    assert titles(types=["suspicious_vehicle"], since=date(2026, 1, 1), until=None) == ["Van outside at closing"]
    assert titles(types=[], since=date(2026, 3, 15), until=date(2026, 3, 31)) == ["Card fraud call"]
    # Without a zone the days are UTC days: 1 July 00:00 BST is 30 June UTC.
    assert titles(types=None, since=date(2026, 6, 30), until=date(2026, 6, 30)) == ["Van outside at closing"]
    assert titles(types=None, since=date(2026, 6, 30), until=date(2026, 6, 30), zone=LONDON) == []


def _seed_with_photo(session) -> int:
    incident = services.save_incident(session, _described())
    services.add_photos(session, incident, [check_image(image_bytes("JPEG"))])
    return incident.id


def _add_contact(session) -> int:
    contact = PoliceContact(agency="City Police", officer_name="PC Link", email="pc.link@example.org")
    session.add(contact)
    session.flush()
    return contact.id


def _delete(store, in_store, incident_id: int) -> None:
    in_store(
        store,
        lambda s: services.delete_incident(
            s, services.get_incident(s, incident_id), store=store, actor=Actor.system("tests")
        ),
    )


def _age_deletion(store, in_store, incident_id: int, days: int) -> None:
    def run(session):
        session.get(Incident, incident_id).deleted_at = datetime.now(UTC) - timedelta(days=days)

    in_store(store, run)


def test_a_deleted_incident_is_hidden_everywhere_and_restored_whole(store, in_store):
    incident_id = in_store(store, _seed_with_photo)
    in_store(store, _seed_three)
    stored_name = in_store(store, lambda s: s.scalar(sa.select(IncidentPhoto.stored_name)))
    _delete(store, in_store, incident_id)

    def reads(session):
        return {
            "search": [i.id for i in services.search_incidents(session, LogbookQuery(), zone=LONDON).incidents],
            "total": services.search_incidents(session, LogbookQuery(), zone=LONDON).total,
            "export": [i.id for i in services.all_matching(session, LogbookQuery(), zone=LONDON)],
            "slice": [i.id for i in services.incidents_in_slice(session, types=None, since=None, until=None)],
            "count": services.count_live(session),
            "deleted": [i.id for i in services.recently_deleted(session)],
        }

    hidden = in_store(store, reads)
    assert incident_id not in hidden["search"] + hidden["export"] + hidden["slice"]
    # The police review slice (its own query) and an emailed casing link leave it out too.
    grant = ReviewGrant(incident_types=list(INCIDENT_TYPES), since=date(2000, 1, 1), until=date(2100, 1, 1))
    assert incident_id not in in_store(store, lambda s: [i.id for i in slice_incidents(s, grant, LONDON)])
    photo_id = in_store(store, lambda s: s.scalar(sa.select(IncidentPhoto.id)))
    with pytest.raises(NotFound):
        in_store(store, lambda s: slice_photo(s, grant, photo_id, LONDON))
    contact_id = in_store(store, lambda s: _add_contact(s))
    with pytest.raises(NotFound):
        in_store(store, lambda s: incident_for_link(s, CasingLink(store.id, incident_id, contact_id)))
    assert hidden["total"] == hidden["count"] == 3 and hidden["deleted"] == [incident_id]
    with pytest.raises(NotFound):
        in_store(store, lambda s: services.get_incident(s, incident_id))
    with pytest.raises(NotFound):
        in_store(store, lambda s: services.get_photo(s, stored_name))

    in_store(
        store,
        lambda s: services.restore_incident(
            s, services.get_deleted_incident(s, incident_id), store=store, actor=Actor.system("tests")
        ),
    )
    back = in_store(store, reads)
    assert incident_id in back["search"] and incident_id in back["export"] and incident_id in back["slice"]
    assert back["count"] == 4 and back["deleted"] == []
    assert incident_id in in_store(store, lambda s: [i.id for i in slice_incidents(s, grant, LONDON)])
    assert in_store(store, lambda s: len(services.get_incident(s, incident_id).photos)) == 1
    with pytest.raises(NotFound):
        in_store(store, lambda s: services.get_deleted_incident(s, incident_id))


def test_the_purge_removes_only_what_was_deleted_over_30_days_ago_and_runs_twice(store, in_store, engines):
    old_id = in_store(store, _seed_with_photo)
    recent_id = in_store(store, _seed_with_photo)
    kept_id = in_store(store, _seed_with_photo)
    _delete(store, in_store, old_id)
    _delete(store, in_store, recent_id)
    _age_deletion(store, in_store, old_id, days=31)
    _age_deletion(store, in_store, recent_id, days=29)

    assert services.purge_all_stores(engines.app) == 1
    assert services.purge_all_stores(engines.app) == 0  # a second run finds nothing more, without an error
    ids = in_store(store, lambda s: sorted(s.scalars(sa.select(Incident.id))))
    assert ids == sorted([recent_id, kept_id])
    photo_owners = in_store(store, lambda s: sorted(s.scalars(sa.select(IncidentPhoto.incident_id))))
    assert photo_owners == sorted([recent_id, kept_id])
    for model in (IncidentPerson, IncidentVehicle):
        owners = in_store(store, lambda s, m=model: set(s.scalars(sa.select(m.incident_id))))
        assert old_id not in owners
    (entry,) = _audit(engines, store.id, "logbook.purge")
    assert entry.details == {"incident_ids": [old_id]}


def test_the_purge_job_is_registered_daily():
    from jobs import names
    from jobs.tasks import JOBS

    (job,) = [j for j in JOBS if j.name == names.PURGE_DELETED_INCIDENTS]
    assert job.cron is not None and job.cron.split()[2:] == ["*", "*", "*"]


def test_an_incident_holds_a_limited_number_of_photos(store, in_store, monkeypatch):
    monkeypatch.setattr(services, "MAX_PHOTOS", 2)
    image = image_bytes("PNG")

    def run(session):
        incident = services.save_incident(session, _described())
        services.add_photos(session, incident, [check_image(image), check_image(image)])
        services.add_photos(session, incident, [check_image(image)])

    with pytest.raises(DomainError, match="at most 2 photos"):
        in_store(store, run)


def test_photos_are_loaded_only_when_asked_for(store, in_store):
    def run(session):
        incident = services.save_incident(session, _described())
        (photo,) = services.add_photos(session, incident, [check_image(image_bytes("JPEG"))])
        session.commit()
        session.expunge_all()
        listed = services.get_incident(session, incident.id).photos[0]
        deferred = "data" not in listed.__dict__
        served = services.get_photo(session, photo.stored_name)
        return deferred, served.data[:2]

    assert in_store(store, run) == (True, b"\xff\xd8")


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("\rCR", "'\rCR"),
        ("Plain text", "Plain text"),
        ("a=b", "a=b"),
        (None, ""),
        (7, "7"),
    ],
)
def test_csv_cells_never_start_a_formula(value, cell):
    assert formula_safe(value) == cell


def test_the_csv_export_is_formula_safe_utf8_in_local_time(store, in_store):
    def run(session):
        services.save_incident(
            session,
            _described(
                occurred_at=_at(date(2026, 7, 1), hour=9),
                title="=cmd|' /C calc'!A0",
                narrative="Zoë asked about the 18ct rings — twice",
                people=[{"clothing": "@hat", "asked_about": "the safe"}],
            ),
        )
        return services.incidents_csv(services.all_matching(session, LogbookQuery(), zone=LONDON), zone=LONDON)

    rows = list(csv.reader(io.StringIO(in_store(store, run))))
    assert rows[0] == list(services.CSV_HEADER)
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["occurred_at"] == "2026-07-01 09:00"
    assert row["title"] == "'=cmd|' /C calc'!A0"
    assert row["what_happened"] == "Zoë asked about the 18ct rings — twice"
    assert row["people"] == "clothing: @hat, asked about: the safe"
    assert row["type"] == "Suspicious person"


def test_casing_titles_come_from_the_first_line():
    assert services.casing_title("Looked at cameras\nthen left") == "Casing: Looked at cameras"
    assert services.casing_title("   ") == "Casing report"
    long = services.casing_title("x" * 300)
    assert len(long) <= 200 and long.endswith("…")


# --- views -------------------------------------------------------------------------------------------------------


@pytest.fixture
def shop(store, make_user, in_store):
    """A store with one incident (id 1) holding a recognisable secret, an owner, a manager and staff."""

    def seed(session):
        session.add(PoliceContact(agency="City Police", officer_name="PC Casey", email="pc.casey@example.org"))
        session.add(PoliceContact(agency="City Police", officer_name="Sgt Phoneonly", email=""))
        incident = services.save_incident(session, _described(title="Kestrel-Secret sighting"))
        services.add_photos(session, incident, [check_image(image_bytes("JPEG"))])

    in_store(store, seed)
    return {
        "store": store,
        "owner": make_user(store=store, role=Role.STORE_OWNER),
        "manager": make_user(store=store, role=Role.STORE_MANAGER),
        "staff": make_user(store=store, role=Role.STORE_STAFF),
    }


def _url(store, path: str = "") -> str:
    return f"/s/{store.slug}/logbook/{path}"


def _form_data(**overrides) -> dict:
    data = {
        "occurred_at": "2026-03-10T14:30",
        "incident_type": "distraction",
        "title": "Two people, one distracts",
        "narrative": "One asked to see watches while the other drifted to the ring case.",
        "location_note": "Front counter",
        "staff_involved": "Jo",
        "people-0-clothing": "Red scarf",
        "people-0-build": "stocky",
        "vehicles-0-plate": "",
    }
    data.update(overrides)
    return data


def _photo_name(engines, store) -> str:
    with engines.owner.connect() as conn:
        return conn.execute(
            sa.text(f'SELECT stored_name FROM "{store.schema_name}".incident_photos ORDER BY id LIMIT 1')
        ).scalar()


def _audit(engines, store_id: int, action: str) -> list[AuditEntry]:
    with Session(engines.owner) as session:
        return list(
            session.scalars(sa.select(AuditEntry).where(AuditEntry.store_id == store_id, AuditEntry.action == action))
        )


def test_staff_see_the_logbook_and_an_incident(client, shop):
    sign_in(client, shop["staff"].email)
    listing = client.get(_url(shop["store"]))
    body = listing.get_data(as_text=True)
    assert listing.status_code == 200 and "Kestrel-Secret sighting" in body and "1 photo" in body
    assert "Export CSV" not in body
    detail = client.get(_url(shop["store"], "1")).get_data(as_text=True)
    assert "Grey hoodie" in detail and "AB12 CDE" in detail and "Delete" not in detail


def test_the_list_filters_and_keeps_what_was_typed_on_a_bad_date(client, shop):
    sign_in(client, shop["owner"].email)
    store = shop["store"]
    assert "Kestrel-Secret" in client.get(_url(store, "?q=kestrel&incident_type=suspicious_person")).get_data(
        as_text=True
    )
    assert "Kestrel-Secret" not in client.get(_url(store, "?incident_type=casing")).get_data(as_text=True)
    assert "Kestrel-Secret" not in client.get(_url(store, "?since=2026-04-01")).get_data(as_text=True)
    bad = client.get(_url(store, "?q=my+words&since=not-a-date&until=2026-01-01"))
    body = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert 'value="my words"' in body and 'value="not-a-date"' in body and "Not a valid date" in body
    backwards = client.get(_url(store, "?since=2026-05-01&until=2026-04-01"))
    assert backwards.status_code == 400 and "before the start date" in backwards.get_data(as_text=True)
    not_a_page = client.get(_url(store, "?page=abc"))  # refused with a message since issue #16 (ranges)
    assert not_a_page.status_code == 400 and "page number" in not_a_page.get_data(as_text=True)


def test_staff_file_an_incident_in_local_time(client, shop, in_store):
    sign_in(client, shop["staff"].email)
    store = shop["store"]
    response = post_form(client, _url(store, "new"), _form_data())
    assert response.status_code == 302
    incident = in_store(store, lambda s: s.scalars(sa.select(Incident).order_by(Incident.id.desc())).first())
    assert incident.occurred_at == datetime(2026, 3, 10, 14, 30, tzinfo=UTC)  # London is on GMT in March
    assert incident.reported_by_user_id == shop["staff"].id
    people = in_store(store, lambda s: s.scalars(sa.select(IncidentPerson.clothing)).all())
    assert "Red scarf" in people


def test_an_invalid_incident_keeps_what_was_typed(client, shop, in_store):
    sign_in(client, shop["owner"].email)
    store = shop["store"]
    data = _form_data(title="", police_report_number="CAD-9", **{"vehicles-0-plate": "KEEP 1"})
    response = post_form(client, _url(store, "new"), data)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "This field is required." in body and "Tick" in body
    assert "ring case" in body and 'value="Red scarf"' in body and 'value="KEEP 1"' in body
    assert in_store(store, lambda s: s.scalar(sa.select(sa.func.count()).select_from(Incident))) == 1


def test_add_a_row_without_javascript(client, shop):
    sign_in(client, shop["owner"].email)
    response = post_form(client, _url(shop["store"], "new"), _form_data(add_person="1"))
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Person 2" in body and 'value="Red scarf"' in body and "This field is required" not in body


def test_edit_an_incident(client, shop, in_store):
    sign_in(client, shop["staff"].email)
    store = shop["store"]
    page = client.get(_url(store, "1/edit")).get_data(as_text=True)
    assert 'value="Kestrel-Secret sighting"' in page and 'value="2026-03-10T12:00"' in page
    response = post_form(client, _url(store, "1/edit"), _form_data(title="Renamed", incident_type="casing"))
    assert response.status_code == 302
    assert in_store(store, lambda s: (s.get(Incident, 1).title, s.get(Incident, 1).incident_type)) == (
        "Renamed",
        "casing",
    )
    bad = post_form(client, _url(store, "1/edit"), _form_data(occurred_at="yesterday", title="Kept title"))
    assert bad.status_code == 400 and 'value="Kept title"' in bad.get_data(as_text=True)


def test_editing_a_summer_incident_shows_and_keeps_its_local_time(client, shop, in_store):
    """In British Summer Time 12:00 local is 11:00 UTC: the edit form shows 12:00, and saving it unchanged keeps it
    (the form once showed the stored UTC clock, and saving moved the incident an hour earlier)."""
    sign_in(client, shop["staff"].email)
    store = shop["store"]
    summer = _at(date(2026, 7, 10), 12)
    incident_id = in_store(store, lambda s: services.save_incident(s, _described(occurred_at=summer)).id)
    page = client.get(_url(store, f"{incident_id}/edit")).get_data(as_text=True)
    [shown] = re.findall(r'name="occurred_at"[^>]*value="([^"]+)"', page)
    assert shown == "2026-07-10T12:00"
    response = post_form(client, _url(store, f"{incident_id}/edit"), _form_data(occurred_at=shown))
    assert response.status_code == 302
    assert in_store(store, lambda s: s.get(Incident, incident_id).occurred_at) == summer


def test_incident_text_is_escaped_everywhere(client, shop):
    sign_in(client, shop["owner"].email)
    payload = "<script>alert('x')</script>"
    post_form(client, _url(shop["store"], "new"), _form_data(title=payload, narrative=payload))
    for path in ("", "2"):
        body = client.get(_url(shop["store"], path)).get_data(as_text=True)
        assert payload not in body and "&lt;script&gt;" in body


def test_a_photo_uploaded_with_an_incident_loses_its_gps_and_is_served_safely(client, shop, engines):
    sign_in(client, shop["staff"].email)
    store = shop["store"]
    data = _form_data(new_photos=(io.BytesIO(gps_tagged_jpeg()), "../../IMG_0042.JPG", "image/jpeg"))
    refused = post_form(client, _url(store, "new"), data, content_type="multipart/form-data")
    assert refused.status_code == 400 and "file name is not acceptable" in refused.get_data(as_text=True)

    data = _form_data(new_photos=(io.BytesIO(gps_tagged_jpeg()), "IMG_0042.JPG", "image/jpeg"))
    response = post_form(client, _url(store, "new"), data, content_type="multipart/form-data")
    assert response.status_code == 302
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    name = re.search(r"/logbook/photos/([0-9a-f]{32}\.jpg)", detail).group(1)
    assert "IMG_0042" not in detail

    served = client.get(_url(store, f"photos/{name}"))
    assert served.status_code == 200
    assert served.headers["Content-Type"] == "image/jpeg"
    assert served.headers["Content-Disposition"] == f"inline; filename={name}"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert b"SpyCam" not in served.data and b"Exif" not in served.data
    with Image.open(io.BytesIO(served.data)) as stored:
        assert stored.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {} and dict(stored.getexif()) == {}


def test_a_refused_photo_keeps_the_form_and_saves_nothing(client, shop, in_store):
    sign_in(client, shop["owner"].email)
    store = shop["store"]
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
    data = _form_data(title="Keep me", new_photos=(io.BytesIO(svg), "evil.svg", "image/svg+xml"))
    response = post_form(client, _url(store, "new"), data, content_type="multipart/form-data")
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Only JPEG, PNG and WebP" in body and 'value="Keep me"' in body
    assert in_store(store, lambda s: s.scalar(sa.select(sa.func.count()).select_from(Incident))) == 1


def test_photos_are_added_to_an_incident_and_unknown_names_are_404(client, shop, in_store):
    sign_in(client, shop["staff"].email)
    store = shop["store"]
    files = [(io.BytesIO(image_bytes("PNG")), "a.png", "image/png"), (io.BytesIO(image_bytes("JPEG")), "b.jpg", "")]
    response = post_form(
        client,
        _url(store, "1/photos"),
        {"photos": files},
        form_url=_url(store, "1"),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert in_store(store, lambda s: s.scalar(sa.select(sa.func.count()).select_from(IncidentPhoto))) == 3
    empty = post_form(client, _url(store, "1/photos"), {}, form_url=_url(store, "1"))
    assert empty.status_code == 400 and "Choose at least one photo" in empty.get_data(as_text=True)
    bomb = post_form(
        client,
        _url(store, "1/photos"),
        {"photos": (io.BytesIO(b"GIF89a;alert(1)"), "x.gif", "image/gif")},
        form_url=_url(store, "1"),
        content_type="multipart/form-data",
    )
    assert bomb.status_code == 400 and "Only JPEG, PNG and WebP" in bomb.get_data(as_text=True)
    for name in ("0" * 32 + ".jpg", "../../etc/passwd", "x.svg"):
        assert client.get(_url(store, f"photos/{name}")).status_code == 404


def test_only_owners_and_managers_delete(client, shop, in_store, engines):
    store = shop["store"]
    sign_in(client, shop["staff"].email)
    token = csrf_token(client.get(_url(store, "1")).get_data(as_text=True))
    assert client.post(_url(store, "1/photos/1/delete"), data={"csrf_token": token}).status_code == 403
    assert client.post(_url(store, "1/delete"), data={"csrf_token": token}).status_code == 403
    assert in_store(store, lambda s: s.get(Incident, 1) is not None)

    manager = client.application.test_client()
    sign_in(manager, shop["manager"].email)
    page = manager.get(_url(store, "1")).get_data(as_text=True)
    assert "Delete photo" in page
    token = csrf_token(page)
    assert manager.post(_url(store, "1/photos/1/delete"), data={"csrf_token": token}).status_code == 302
    assert manager.post(_url(store, "1/delete"), data={"csrf_token": token}).status_code == 302
    assert in_store(store, lambda s: s.get(Incident, 1).deleted_at) is not None
    (entry,) = _audit(engines, store.id, "logbook.delete")
    assert entry.actor_user_id == shop["manager"].id and entry.target == "incident:1"


def test_delete_is_confirmed_then_recoverable_from_recently_deleted(client, shop, in_store, engines):
    store = shop["store"]
    sign_in(client, shop["manager"].email)
    page = client.get(_url(store, "1")).get_data(as_text=True)
    # Two steps without JavaScript: the button opens a question that says what happens to a published bulletin.
    assert '<details class="confirm">' in page and "A bulletin already published from it stays published" in page
    token = csrf_token(page)
    assert client.post(_url(store, "1/delete"), data={"csrf_token": token}).status_code == 302
    listing = client.get(_url(store)).get_data(as_text=True)
    assert "Kestrel-Secret" not in listing and "0 incidents." in listing
    assert client.get(_url(store, "1")).status_code == 404
    assert client.get(_url(store, "1/edit")).status_code == 404
    assert client.get(_url(store, "1/share/")).status_code == 404  # nor can it be shared with the region
    assert client.get(_url(store, f"photos/{_photo_name(engines, store)}")).status_code == 404
    assert "Kestrel" not in client.get(_url(store, "export.csv")).get_data(as_text=True)

    deleted = client.get(_url(store, "deleted"))
    assert deleted.status_code == 200 and "Kestrel-Secret sighting" in deleted.get_data(as_text=True)
    assert client.post(_url(store, "deleted/1/restore"), data={}).status_code == 400  # no CSRF token
    restored = client.post(_url(store, "deleted/1/restore"), data={"csrf_token": token})
    assert restored.status_code == 302 and restored.headers["Location"].endswith(_url(store, "1"))
    assert "Kestrel-Secret sighting" in client.get(_url(store)).get_data(as_text=True)
    assert client.post(_url(store, "deleted/1/restore"), data={"csrf_token": token}).status_code == 404
    (entry,) = _audit(engines, store.id, "logbook.restore")
    assert entry.actor_user_id == shop["manager"].id and entry.target == "incident:1"


def test_staff_cannot_see_or_restore_deleted_incidents(client, shop, in_store):
    store = shop["store"]
    _delete(store, in_store, 1)
    sign_in(client, shop["staff"].email)
    token = csrf_token(client.get(_url(store)).get_data(as_text=True))
    assert client.get(_url(store, "deleted")).status_code == 403
    assert client.post(_url(store, "deleted/1/restore"), data={"csrf_token": token}).status_code == 403
    assert in_store(store, lambda s: s.get(Incident, 1).deleted_at) is not None


def test_export_is_for_owners_and_managers_and_audited(client, shop, in_store, engines):
    store = shop["store"]
    in_store(store, lambda s: services.save_incident(s, _described(title="+SUM(1,2)", incident_type="casing")))
    sign_in(client, shop["staff"].email)
    assert client.get(_url(store, "export.csv")).status_code == 403

    owner = client.application.test_client()
    sign_in(owner, shop["owner"].email)
    response = owner.get(_url(store, "export.csv?incident_type=casing"))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith(f'attachment; filename="logbook-{store.slug}-')
    text = response.data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert [r[4] for r in rows[1:]] == ["'+SUM(1,2)"]  # filtered to casing; the formula neutralised
    (entry,) = _audit(engines, store.id, "logbook.export")
    assert entry.details["rows"] == 1 and entry.details["types"] == ["casing"]
    assert owner.get(_url(store, "export.csv?since=bad")).status_code == 400


# --- many photos in one request: refused before anything is decoded (issue #16, upload denial of service) ---------


@pytest.fixture
def decoded(monkeypatch) -> list[tuple[int, int]]:
    return count_decodes(monkeypatch)


def _flat_photos(count: int, mode: str = "L") -> list:
    return [(io.BytesIO(flat_png(mode)), f"flat-{i}.png", "image/png") for i in range(count)]


@pytest.mark.parametrize("page", ["new", "casing"])
def test_forty_flat_photos_are_refused_before_any_is_decoded(client, shop, in_store, decoded, page):
    # Black and white (5 KB each) keeps the body under the 500 KB above which Werkzeug's test client spools it to
    # a temporary file it never closes; the server side is the same either way.
    sign_in(client, shop["staff"].email)
    store = shop["store"]
    if page == "new":
        data = _form_data(title="Keep me", new_photos=_flat_photos(40, "1"))
    else:
        data = _casing_data(narrative="Keep me", photos=_flat_photos(40, "1"))
    response = post_form(client, _url(store, page), data, content_type="multipart/form-data")
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f"An incident can hold at most {services.MAX_PHOTOS} photos" in body and "Keep me" in body
    assert decoded == []
    assert in_store(store, lambda s: s.scalar(sa.select(sa.func.count()).select_from(Incident))) == 1


def test_photos_over_the_request_pixel_budget_are_refused_before_any_is_decoded(client, shop, in_store, decoded):
    sign_in(client, shop["staff"].email)
    store = shop["store"]
    response = post_form(
        client,
        _url(store, "1/photos"),
        {"photos": _flat_photos(3)},  # 3 x 39.7 MP: each under the per-image cap, together over the budget
        form_url=_url(store, "1"),
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "too many pixels together (119 megapixels; at most 100" in response.get_data(as_text=True)
    assert decoded == []
    assert in_store(store, lambda s: s.scalar(sa.select(sa.func.count()).select_from(IncidentPhoto))) == 1


def test_an_edit_counts_the_photos_the_incident_holds_before_decoding(client, shop, in_store, decoded):
    sign_in(client, shop["staff"].email)
    store = shop["store"]
    photos = [(io.BytesIO(image_bytes("PNG")), f"{i}.png", "image/png") for i in range(services.MAX_PHOTOS)]
    data = _form_data(title="Not saved", new_photos=photos)
    response = post_form(client, _url(store, "1/edit"), data, content_type="multipart/form-data")
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "at most 20 photos; this one holds 1 already" in body and 'value="Not saved"' in body
    assert decoded == []
    assert in_store(store, lambda s: s.get(Incident, 1).title) == "Kestrel-Secret sighting"
    assert in_store(store, lambda s: s.scalar(sa.select(sa.func.count()).select_from(IncidentPhoto))) == 1


def test_photos_of_a_form_refused_for_other_reasons_are_checked_but_not_decoded(client, shop, in_store, decoded):
    sign_in(client, shop["staff"].email)
    store = shop["store"]
    svg = (io.BytesIO(b'<svg xmlns="http://www.w3.org/2000/svg"/>'), "evil.svg", "image/svg+xml")
    data = _form_data(title="", narrative="Keep me", new_photos=[*_flat_photos(2), svg])
    response = post_form(client, _url(store, "new"), data, content_type="multipart/form-data")
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "evil.svg: Only JPEG, PNG and WebP" in body and "Keep me" in body
    data = _form_data(title="", new_photos=_flat_photos(2))  # 79 MP: within the budget, the form refused
    assert post_form(client, _url(store, "new"), data, content_type="multipart/form-data").status_code == 400
    assert decoded == []
    assert in_store(store, lambda s: s.scalar(sa.select(sa.func.count()).select_from(Incident))) == 1


# --- casing report -----------------------------------------------------------------------------------------------


def _casing_data(**overrides) -> dict:
    data = {
        "narrative": "Looked at every camera, asked when the safe opens.\nLeft without buying.",
        "occurred_at": "2026-11-27T10:05",
        "person-clothing": "Black cap, green jacket",
        "person-build": "tall",
        "person-asked_about": "time lock",
        "vehicle-make": "Vauxhall",
        "vehicle-colour": "silver",
        "vehicle-plate": "CS19 NGX",
        "notify_police": "y",
    }
    data.update(overrides)
    return data


def test_the_casing_page_is_short_and_defaults_to_now(client, shop):
    sign_in(client, shop["staff"].email)
    page = client.get(_url(shop["store"], "casing")).get_data(as_text=True)
    now = datetime.now(LONDON)
    assert re.search(r'name="occurred_at"[^>]*value="' + now.strftime("%Y-%m-%dT"), page)
    assert "PC Casey" in page and "Sgt Phoneonly" not in page
    assert "ethnicity" not in page.lower()


def test_a_casing_report_alerts_police_contacts_by_email(client, shop, in_store, engines, smtp):
    store = shop["store"]
    sign_in(client, shop["staff"].email)
    data = _casing_data(photos=(io.BytesIO(gps_tagged_jpeg()), "casing.jpg", "image/jpeg"))
    response = post_form(client, _url(store, "casing"), data, content_type="multipart/form-data")
    assert response.status_code == 302

    incident = in_store(store, lambda s: s.scalars(sa.select(Incident).where(Incident.is_casing_report)).one())
    assert (
        incident.incident_type == "casing"
        and incident.title == "Casing: Looked at every camera, asked when the safe opens."
    )
    assert incident.contacts_notified_at is not None
    assert incident.occurred_at == datetime(2026, 11, 27, 10, 5, tzinfo=UTC)
    assert in_store(store, lambda s: s.scalar(sa.select(sa.func.count()).select_from(IncidentPhoto))) == 2

    (message,) = smtp.messages
    assert message["To"] == "pc.casey@example.org"
    subject = " ".join(str(message["Subject"]).split())  # unfolded
    assert subject.startswith("TLP:RED") and "heightened response" in subject
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "Black cap, green jacket" in text and "CS19 NGX" in text and "time lock" in text
    assert "27 Nov 2026, 10:05 (Europe/London)" in text and "See the 1 photo" in text
    assert not [part for part in message.walk() if part.get_content_maintype() == "image"]  # a link, not attached
    (entry,) = _audit(engines, store.id, "logbook.casing_alert")
    assert entry.details["recipients"] == 1 and entry.actor_user_id == shop["staff"].id
    with Session(engines.owner) as session:
        row = session.scalars(
            sa.select(OutboundEmail)
            .where(OutboundEmail.kind == "casing_alert", OutboundEmail.to_address == "pc.casey@example.org")
            .order_by(OutboundEmail.id.desc())
            .limit(1)
        ).one()  # this test's alert (the shared test database holds other tests' alerts, in no set order)
        assert row.status == "sent"

    # The police contact opens the report and its photo through the link, without an account (issue #18 part 7).
    path = re.search(r"https?://[^/\s]+(/officer/casing/[^\s]+)", text).group(1)
    officer = client.application.test_client()
    page = officer.get(path)
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "Black cap, green jacket" in body and "TLP:RED" in body
    assert page.headers["X-Robots-Tag"].startswith("noindex")
    photo_path = re.search(r'<img src="([^"]+)"', body).group(1)
    photo = officer.get(photo_path)
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg" and photo.data[:2] == b"\xff\xd8"
    assert [e.details["contact_id"] for e in _audit(engines, store.id, "logbook.casing_alert.opened")] != []
    assert len(_audit(engines, store.id, "logbook.casing_alert.photo_viewed")) == 1
    # The store's incident page says the police were notified (it said "No" above "Police contacts alerted").
    incident_page = client.get(_url(store, str(incident.id))).get_data(as_text=True)
    assert re.search(r"Police notified</dt><dd>Yes[^<]*police contacts were alerted", incident_page)


def test_a_casing_link_cannot_be_tampered_with_or_pointed_at_another_incident(app, shop, store):
    """The token names the store, the incident and the contact, signed: a changed token, or one naming an incident
    the store does not have, gives 404 and nothing of the store."""
    from logbook.casing_links import casing_link

    with app.test_request_context():
        good = casing_link(store.id, 1, 1)
        wrong_incident = casing_link(store.id, 999, 1)
    path = good.split("://", 1)[1].split("/", 1)[1]
    officer = app.test_client()
    assert officer.get(f"/{path}").status_code == 200
    assert "Kestrel-Secret" in officer.get(f"/{path}").get_data(as_text=True)
    tampered = f"/{path[:-3]}{'A' if path[-3] != 'A' else 'B'}{path[-2:]}"
    for bad in (tampered, "/officer/casing/not-a-token", "/" + wrong_incident.split("://", 1)[1].split("/", 1)[1]):
        response = officer.get(bad)
        assert response.status_code == 404 and "Kestrel-Secret" not in response.get_data(as_text=True)
    assert officer.get(f"/{path}/photos/999").status_code == 404


def test_a_casing_report_without_the_box_ticked_sends_nothing(client, shop, in_store, smtp):
    sign_in(client, shop["staff"].email)
    data = _casing_data()
    del data["notify_police"]
    assert post_form(client, _url(shop["store"], "casing"), data).status_code == 302
    assert smtp.messages == []
    assert in_store(shop["store"], lambda s: s.scalars(sa.select(Incident.contacts_notified_at)).all()) == [None, None]


def test_a_casing_report_with_no_contact_email_says_to_call(client, shop, in_store, smtp, engines):
    store = shop["store"]
    in_store(store, lambda s: s.execute(sa.update(PoliceContact).values(email="")))
    sign_in(client, shop["owner"].email)
    response = post_form(client, _url(store, "casing"), _casing_data(), follow_redirects=True)
    assert "no police contact has an email address" in response.get_data(as_text=True)
    assert smtp.messages == []
    (entry,) = _audit(engines, store.id, "logbook.casing_alert")
    assert entry.outcome == "no_recipients"


def test_an_invalid_casing_report_keeps_what_was_typed(client, shop, in_store, smtp):
    sign_in(client, shop["staff"].email)
    response = post_form(client, _url(shop["store"], "casing"), _casing_data(narrative="", occurred_at="soon"))
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'value="Black cap, green jacket"' in body and 'value="CS19 NGX"' in body and 'value="soon"' in body
    assert "checked" in body  # the notify box stays ticked
    assert smtp.messages == []
    assert in_store(shop["store"], lambda s: s.scalar(sa.select(sa.func.count()).select_from(Incident))) == 1


# --- isolation ---------------------------------------------------------------------------------------------------

ROUTES = [
    ("GET", ""),
    ("GET", "?q=Kestrel"),
    ("GET", "export.csv"),
    ("GET", "new"),
    ("POST", "new"),
    ("GET", "casing"),
    ("POST", "casing"),
    ("GET", "1"),
    ("GET", "1/edit"),
    ("POST", "1/edit"),
    ("POST", "1/delete"),
    ("POST", "1/photos"),
    ("POST", "1/photos/1/delete"),
    ("GET", "photos/{photo}"),
    ("GET", "deleted"),
    ("POST", "deleted/1/restore"),
]


@pytest.fixture
def outsiders(shop, make_world, make_store, make_user, engines):
    """People who must get nothing: another store's owner (same association), its admin, a liaison without grant."""
    store = shop["store"]
    other = make_store(make_world())
    association = Association(id=store.association_id, slug="", name="")
    return {
        "member of another store": make_user(store=other, role=Role.STORE_OWNER),
        "association admin": make_user(association=association, role=Role.ASSOCIATION_ADMIN),
        "liaison without a grant": make_user(association=association, role=Role.POLICE_LIAISON),
    }


@pytest.mark.parametrize("who", ["member of another store", "association admin", "liaison without a grant"])
def test_outsiders_get_nothing_from_any_logbook_route(app, shop, outsiders, engines, in_store, who):
    store = shop["store"]
    photo = _photo_name(engines, store)
    client = app.test_client()
    sign_in(client, outsiders[who].email)
    token = csrf_token(client.get("/account/password").get_data(as_text=True))
    for method, path in ROUTES:
        url = _url(store, path.format(photo=photo))
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={"csrf_token": token, **_form_data(), **_casing_data()})
        body = response.get_data(as_text=True)
        assert response.status_code in (403, 404), (who, method, url, response.status_code)
        assert "Kestrel" not in body and "Grey hoodie" not in body and store.name not in body, (who, url)
        assert not response.data.startswith(b"\xff\xd8")
    assert in_store(store, lambda s: s.scalar(sa.select(sa.func.count()).select_from(Incident))) == 1
    assert in_store(store, lambda s: s.get(Incident, 1).title) == "Kestrel-Secret sighting"


def test_the_same_ids_in_another_store_stay_there(client, shop, make_user, make_store, make_world, in_store, engines):
    """Both stores have incident 1 and photo 1: each member only ever reaches their own."""
    world = make_world()
    _london(engines, world)
    twin = make_store(world, "Twin Logbook Jewels")
    in_store(twin, lambda s: services.save_incident(s, _described(title="Osprey-Secret")))
    twin_owner = make_user(store=twin, role=Role.STORE_OWNER)
    sign_in(client, twin_owner.email)
    body = client.get(f"/s/{twin.slug}/logbook/1").get_data(as_text=True)
    assert "Osprey-Secret" in body and "Kestrel" not in body
    photo = _photo_name(engines, shop["store"])
    assert client.get(f"/s/{twin.slug}/logbook/photos/{photo}").status_code == 404
    assert "Kestrel" not in client.get(f"/s/{twin.slug}/logbook/export.csv").get_data(as_text=True)


def test_anonymous_visitors_are_sent_to_sign_in(client, shop):
    response = client.get(_url(shop["store"], "1"))
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get(_url(shop["store"], f"photos/{'a' * 32}.jpg")).status_code == 302


def test_demo_records_are_realistic(engines, make_world, make_store, in_store):
    from demo.logbook import seed_logbook

    store = make_store(make_world())
    # The first demo store: its routine logs, its own shareable incidents and its part of the Astra pattern.
    now = datetime(2026, 11, 27, 12, tzinfo=UTC)
    in_store(store, lambda s: seed_logbook(s, store_name="Quayside Diamonds", now=now, index=0, store_count=15))
    incidents = in_store(store, lambda s: services.incidents_in_slice(s, types=None, since=None, until=None))
    assert 8 <= len(incidents) <= 15
    assert any(i.is_casing_report and i.people and i.vehicles for i in incidents)
    oldest = min(i.occurred_at for i in incidents)
    assert datetime(2026, 11, 27, 12, tzinfo=UTC) - oldest <= timedelta(weeks=10)
    assert all(not i.photos for i in incidents)
