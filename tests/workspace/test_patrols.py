"""Patrol and extra-watch requests, away mode, and the officer's signed link."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from errors import Conflict, NotFound
from models import Association, AuditEntry, PatrolLogEntry, PatrolRequest, PoliceContact, Role, Store
from patrols import requests as services
from security.tokens import sign
from tests.fixtures.web import csrf_token, post_form, sign_in
from workspace.times import utc_to_local

LONDON = ZoneInfo("Europe/London")
FMT = "%Y-%m-%dT%H:%M"


def _future(days: float, hour: int = 18) -> datetime:
    """A wall-clock time `days` from now, on the hour (naive, as a form sends it)."""
    return (datetime.now(LONDON) + timedelta(days=days)).replace(
        hour=hour, minute=0, second=0, microsecond=0, tzinfo=None
    )


def _request_data(**overrides) -> dict:
    data = {
        "reason": "merchandise_movement",
        "place": "store",
        "home_address": "",
        "starts_at": _future(5),
        "ends_at": _future(6),
        "vehicles_expected": "White courier van, plate AB12 CDE",
        "keyholder": "Sam Keys, 07700 900123",
        "alarm_company": "Sentinel Alarms",
        "notes": "",
        "contact_id": 1,
    }
    data.update(overrides)
    return data


def _form(data: dict) -> dict:
    return {k: (v.strftime(FMT) if isinstance(v, datetime) else ("" if v is None else v)) for k, v in data.items()}


@pytest.fixture
def twin_stores(engines, make_world, make_store, make_user, in_store):
    """Two stores of one association (Europe/London), each with police contact 1 and patrol request 1."""
    world = make_world()
    with Session(engines.owner) as session, session.begin():
        session.execute(
            sa.update(Association).where(Association.id == world.association.id).values(timezone="Europe/London")
        )
    a, b = make_store(world, "Patrol Alpha Jewels"), make_store(world, "Patrol Beta Jewels")
    for store, secret in ((a, "Alpha"), (b, "Beta")):

        def seed(session, secret=secret):
            session.add(
                PoliceContact(
                    agency="City Police", officer_name=f"PC {secret}", email=f"pc.{secret.lower()}@example.org"
                )
            )
            session.flush()
            services.save_request(
                session,
                _request_data(vehicles_expected=f"Van of {secret}-Secret", place="store"),
                zone=LONDON,
            )

        in_store(store, seed)
    return {
        "world": world,
        "a": a,
        "b": b,
        "owner_a": make_user(store=a, role=Role.STORE_OWNER),
        "owner_b": make_user(store=b, role=Role.STORE_OWNER),
        "staff_a": make_user(store=a, role=Role.STORE_STAFF),
    }


def _store(engines, store_id: int) -> Store:
    session = Session(engines.owner, expire_on_commit=False)
    store = session.get(Store, store_id)
    _ = (store.association.timezone, store.region.timezone)  # what `store_zone` reads, loaded before detaching
    session.close()
    return store


def _send(app, engines, in_store, store, request_id: int = 1) -> str:
    """Send a request through the domain function; returns the officer link's path."""
    store = _store(engines, store.id)
    with app.test_request_context():
        row = in_store(
            store,
            lambda s: services.send_request(s, s.get(PatrolRequest, request_id), store=store, actor=None),
        )
    return _link_path(row.body_text)


def _link_path(text: str) -> str:
    match = re.search(r"https?://[^/\s]+(/officer/patrol/[^\s\"<]+)", text)
    assert match, text
    return match.group(1)


def _audit(engines, store_id: int) -> list[AuditEntry]:
    with Session(engines.owner) as session:
        return list(
            session.scalars(
                sa.select(AuditEntry)
                .where(AuditEntry.store_id == store_id, AuditEntry.action.startswith("patrol."))
                .order_by(AuditEntry.id)
            )
        )


# --- domain functions, no HTTP ------------------------------------------------------------------------------


def test_a_request_keeps_wall_clock_times_of_the_associations_zone(twin_stores, in_store):
    a = twin_stores["a"]
    starts = datetime(2031, 7, 1, 22, 0)  # BST: 21:00 UTC
    saved = in_store(
        a,
        lambda s: (
            services.save_request(
                s, _request_data(starts_at=starts, ends_at=starts + timedelta(hours=10)), zone=LONDON
            ).starts_at
        ),
    )
    assert saved.astimezone(UTC) == datetime(2031, 7, 1, 21, 0, tzinfo=UTC)
    assert utc_to_local(saved, LONDON) == starts


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ends_at": _future(4)}, "end must be after"),
        ({"ends_at": _future(200)}, "at most 92 days"),
        ({"place": "home", "home_address": "  "}, "home address"),
        ({"reason": "because"}, "from the list"),
    ],
)
def test_invalid_requests_are_refused_with_a_message(twin_stores, in_store, overrides, message):
    with pytest.raises(services.PatrolError, match=message):
        in_store(twin_stores["a"], lambda s: services.save_request(s, _request_data(**overrides), zone=LONDON))


def test_a_trip_drafts_the_store_and_home_requests_in_one_step(twin_stores, in_store):
    data = {
        **_request_data(),
        "kind": "trade_show",
        "title": "JCK Las Vegas",
        "watch_store": True,
        "watch_home": True,
        "home_address": "12 Quiet Lane",
    }

    def run(s):
        trip = services.create_trip(s, data, zone=LONDON)
        return [
            (r.place, r.reason, r.status, r.home_address, r.contact_id, r.trip_id == trip.id) for r in trip.requests
        ]

    assert in_store(twin_stores["a"], run) == [
        ("store", "trade_show", "draft", "", 1, True),
        ("home", "trade_show", "draft", "12 Quiet Lane", 1, True),
    ]
    with pytest.raises(services.PatrolError, match="store, the home, or both"):
        in_store(
            twin_stores["a"],
            lambda s: services.create_trip(s, {**data, "watch_store": False, "watch_home": False}, zone=LONDON),
        )


def test_sending_needs_a_contact_with_an_email(app, twin_stores, in_store, engines):
    a = _store(engines, twin_stores["a"].id)
    in_store(a, lambda s: setattr(s.get(PoliceContact, 1), "email", ""))
    with app.test_request_context(), pytest.raises(services.PatrolError, match="no email address"):
        in_store(
            a,
            lambda s: services.send_request(s, s.get(PatrolRequest, 1), store=a, actor=None),
        )
    assert in_store(a, lambda s: s.get(PatrolRequest, 1).status) == "draft"


def test_sending_emails_a_tlp_red_request_and_resending_replaces_the_link(app, twin_stores, in_store, engines):
    a = twin_stores["a"]
    first = _send(app, engines, in_store, a)
    second = _send(app, engines, in_store, a)
    assert first != second
    patrol = in_store(a, lambda s: s.get(PatrolRequest, 1))
    assert (patrol.status, patrol.send_count, patrol.sent_to_email) == ("sent", 2, "pc.alpha@example.org")
    assert [e.action for e in _audit(engines, a.id)] == ["patrol.sent", "patrol.resent"]


def test_officer_actions_follow_the_status_rules(app, twin_stores, in_store, engines):
    a = _store(engines, twin_stores["a"].id)
    _send(app, engines, in_store, a)

    def flow(s):
        patrol = s.get(PatrolRequest, 1)
        with pytest.raises(Conflict):
            services.log_patrol(
                s, patrol, store=a, patrolled_at=services.utcnow(), officer_name="PC A", observations=""
            )
        services.acknowledge(s, patrol, store=a, officer_name="PC Alpha", note="Will do")
        with pytest.raises(Conflict):
            services.acknowledge(s, patrol, store=a, officer_name="PC Alpha")
        with pytest.raises(services.PatrolError, match="future"):
            services.log_patrol(
                s,
                patrol,
                store=a,
                patrolled_at=services.utcnow() + timedelta(hours=2),
                officer_name="PC A",
                observations="",
            )
        services.log_patrol(
            s, patrol, store=a, patrolled_at=services.utcnow(), officer_name="PC A", observations="All quiet"
        )
        services.complete_by_officer(s, patrol, store=a)
        return patrol.status, [e.observations for e in patrol.log_entries]

    assert in_store(a, flow) == ("completed", ["All quiet"])
    actions = [e.action for e in _audit(engines, a.id)]
    assert actions[-3:] == ["patrol.officer.acknowledged", "patrol.officer.logged_patrol", "patrol.officer.completed"]


def test_only_drafts_can_be_edited_or_deleted(app, twin_stores, in_store, engines):
    a = twin_stores["a"]
    _send(app, engines, in_store, a)
    with pytest.raises(Conflict):
        in_store(a, lambda s: services.delete_draft(s, s.get(PatrolRequest, 1)))
    with pytest.raises(Conflict):
        in_store(a, lambda s: services.save_request(s, _request_data(), zone=LONDON, request=s.get(PatrolRequest, 1)))
    with pytest.raises(NotFound):
        in_store(a, lambda s: services.get_request(s, 999))


def test_attention_items_flag_drafts_unanswered_and_imminent_requests(twin_stores, in_store):
    a = twin_stores["a"]
    now = datetime.now(UTC)
    today = date.today()

    def build(s):
        s.execute(sa.delete(PatrolRequest))
        rows = {
            "draft_later": PatrolRequest(status="draft", starts_at=now + timedelta(days=10)),
            "sent_old": PatrolRequest(
                status="sent", starts_at=now + timedelta(days=10), sent_at=now - timedelta(hours=30)
            ),
            "sent_fresh": PatrolRequest(
                status="sent", starts_at=now + timedelta(days=10), sent_at=now - timedelta(hours=2)
            ),
            "sent_soon": PatrolRequest(
                status="sent", starts_at=now + timedelta(days=1), sent_at=now - timedelta(hours=1)
            ),
            "draft_soon": PatrolRequest(status="draft", starts_at=now + timedelta(hours=5)),
            "acked_soon": PatrolRequest(status="acknowledged", starts_at=now + timedelta(days=1)),
            "draft_over": PatrolRequest(status="draft", starts_at=now - timedelta(days=3)),
            "home_draft": PatrolRequest(
                status="draft", place="home", home_address="x", starts_at=now + timedelta(days=9)
            ),
        }
        for name, row in rows.items():
            row.reason, row.notes = "in_store_event", name
            row.ends_at = row.starts_at + timedelta(days=2) if name != "draft_over" else now - timedelta(days=1)
            s.add(row)
        s.flush()
        ids = {row.id: name for name, row in rows.items()}
        found = {ids[i.values["request_id"]]: i.severity for i in services.attention_items(s, today=today, now=now)}
        staff = {ids[i.values["request_id"]] for i in services.attention_items(s, today=today, include_home=False)}
        return found, staff

    found, staff = in_store(a, build)
    assert found == {
        "draft_later": "normal",
        "sent_old": "normal",
        "sent_soon": "high",
        "draft_soon": "high",
        "home_draft": "normal",
    }
    assert "home_draft" not in staff and "draft_later" in staff
    assert all(i.endpoint == "patrols.request" for i in in_store(a, lambda s: services.attention_items(s, today=today)))


# --- store pages --------------------------------------------------------------------------------------------


def test_owner_creates_a_request_and_a_bad_form_keeps_what_was_typed(client, twin_stores):
    a = twin_stores["a"]
    sign_in(client, twin_stores["owner_a"].email)
    url = f"/s/{a.slug}/patrols/new"
    bad = _form(_request_data(place="home", home_address="", keyholder="Typed Keyholder 42", ends_at=_future(4)))
    response = post_form(client, url, bad)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Typed Keyholder 42" in body and "Give the home address" in body and "end must be after" in body
    good = _form(_request_data(notes="Gold delivery at dawn"))
    response = post_form(client, url, good)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Gold delivery at dawn" in page and "Draft" in page and "TLP:RED" in page


def test_store_forms_refuse_a_post_without_csrf(client, twin_stores):
    a = twin_stores["a"]
    sign_in(client, twin_stores["owner_a"].email)
    for path in ("/new", "/1/send", "/1/delete", "/trips/new"):
        assert client.post(f"/s/{a.slug}/patrols{path}", data=_form(_request_data())).status_code == 400


def test_edit_shows_local_times_and_saves(client, twin_stores, in_store):
    a = twin_stores["a"]
    sign_in(client, twin_stores["owner_a"].email)
    starts = in_store(a, lambda s: s.get(PatrolRequest, 1).starts_at)
    page = client.get(f"/s/{a.slug}/patrols/1/edit").get_data(as_text=True)
    assert utc_to_local(starts, LONDON).strftime(FMT) in page
    response = post_form(client, f"/s/{a.slug}/patrols/1/edit", _form(_request_data(alarm_company="Edited Alarm Co")))
    assert response.status_code == 302
    assert in_store(a, lambda s: s.get(PatrolRequest, 1).alarm_company) == "Edited Alarm Co"


def test_away_mode_page_creates_and_shows_the_trip_requests(client, twin_stores):
    a = twin_stores["a"]
    sign_in(client, twin_stores["owner_a"].email)
    data = _form(
        {
            **_request_data(),
            "kind": "vacation",
            "title": "Lake District",
            "watch_store": "y",
            "watch_home": "y",
            "home_address": "",
        }
    )
    response = post_form(client, f"/s/{a.slug}/patrols/trips/new", data)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Give the home address" in body and "Lake District" in body
    response = post_form(client, f"/s/{a.slug}/patrols/trips/new", {**data, "home_address": "7 Fell Road"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert (
        "Lake District" in page and "The store" in page and "The owner's home" in page
    )  # a lazy label renders as written (trusted text)
    assert "7 Fell Road" in page
    listing = client.get(f"/s/{a.slug}/patrols/").get_data(as_text=True)
    assert "Lake District" in listing and "Owner on vacation" in listing


def test_staff_see_store_requests_but_not_home_watches_trips_or_actions(client, twin_stores, in_store):
    a = twin_stores["a"]
    in_store(
        a,
        lambda s: services.create_trip(
            s,
            {
                **_request_data(),
                "kind": "vacation",
                "title": "Secret Holiday",
                "watch_store": False,
                "watch_home": True,
                "home_address": "9 Private Road",
            },
            zone=LONDON,
        ),
    )
    home_id = in_store(a, lambda s: s.scalar(sa.select(PatrolRequest.id).where(PatrolRequest.place == "home")))
    sign_in(client, twin_stores["staff_a"].email)
    listing = client.get(f"/s/{a.slug}/patrols/")
    assert listing.status_code == 200
    body = listing.get_data(as_text=True)
    assert "Merchandise movement" in body and "Secret Holiday" not in body and "Vacation" not in body
    page = client.get(f"/s/{a.slug}/patrols/1").get_data(as_text=True)
    assert "Alpha-Secret" in page and "Send to police" not in page
    for path in (f"/{home_id}", "/trips/1"):
        response = client.get(f"/s/{a.slug}/patrols{path}")
        assert response.status_code in (403, 404)
        assert "9 Private Road" not in response.get_data(as_text=True)
    token = csrf_token(client.get(f"/s/{a.slug}/patrols/").get_data(as_text=True))
    for path in ("/new", "/1/edit", "/1/send", "/1/complete", "/1/delete", "/trips/new"):
        assert client.post(f"/s/{a.slug}/patrols{path}", data={"csrf_token": token}).status_code == 403


STORE_ROUTES = [
    ("GET", "/"),
    ("GET", "/new"),
    ("POST", "/new"),
    ("GET", "/1"),
    ("GET", "/1/edit"),
    ("POST", "/1/edit"),
    ("POST", "/1/send"),
    ("POST", "/1/complete"),
    ("POST", "/1/delete"),
    ("GET", "/trips/new"),
    ("POST", "/trips/new"),
    ("GET", "/trips/1"),
]


@pytest.mark.parametrize("who", ["member of another store", "association admin", "liaison without a grant"])
def test_outsiders_get_nothing_of_a_stores_patrols(client, twin_stores, make_user, in_store, who):
    b = twin_stores["b"]
    in_store(
        b,
        lambda s: services.create_trip(
            s,
            {
                **_request_data(),
                "kind": "trade_show",
                "title": "Beta Trip",
                "watch_store": True,
                "watch_home": True,
                "home_address": "Beta-Secret Home",
            },
            zone=LONDON,
        ),
    )
    person = {
        "member of another store": twin_stores["owner_a"],
        "association admin": make_user(association=twin_stores["world"].association, role=Role.ASSOCIATION_ADMIN),
        "liaison without a grant": make_user(association=twin_stores["world"].association, role=Role.POLICE_LIAISON),
    }[who]
    sign_in(client, person.email)
    token = csrf_token(client.get("/account/password").get_data(as_text=True))
    for method, path in STORE_ROUTES:
        url = f"/s/{b.slug}/patrols{path}"
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={**_form(_request_data()), "csrf_token": token})
        body = response.get_data(as_text=True)
        assert response.status_code in (403, 404), (method, path, response.status_code)
        assert "Beta-Secret" not in body and "Beta Trip" not in body and b.name not in body, (method, path)
    assert in_store(b, lambda s: s.get(PatrolRequest, 1).status) == "draft"
    assert in_store(b, lambda s: s.scalar(sa.select(sa.func.count()).select_from(PatrolRequest))) == 3


# --- sending by email and the officer's link ----------------------------------------------------------------


def test_send_emails_the_contact_and_the_officer_acknowledges_and_logs_patrols(
    app, client, smtp, twin_stores, in_store, engines
):
    a = twin_stores["a"]
    sign_in(client, twin_stores["owner_a"].email)
    page = client.get(f"/s/{a.slug}/patrols/1").get_data(as_text=True)
    response = client.post(f"/s/{a.slug}/patrols/1/send", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    [message] = smtp.to("pc.alpha@example.org")
    assert message["Subject"].startswith("TLP:RED")
    assert "Patrol Alpha Jewels" in message["Subject"]
    assert message["Message-ID"] and message["From"]
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    for part in (text, html):
        assert "TLP:RED" in part and "Van of Alpha-Secret" in part and "Beta" not in part
    path = _link_path(text)
    assert path in html.replace("&amp;", "&")

    officer = app.test_client()  # no account, no session
    show = officer.get(path)
    assert show.status_code == 200
    body = show.get_data(as_text=True)
    assert "Van of Alpha-Secret" in body and "TLP:RED" in body and "Beta" not in body
    assert show.headers["X-Robots-Tag"].startswith("noindex") and show.headers["Cache-Control"] == "no-store"

    answer = officer.post(
        f"{path}/answer", data={"csrf_token": csrf_token(body), "officer_name": "PC Alpha", "decision": "acknowledge"}
    )
    assert answer.status_code == 303
    body = officer.get(path).get_data(as_text=True)
    assert "Log a patrol" in body
    logged = officer.post(
        f"{path}/log",
        data={
            "csrf_token": csrf_token(body),
            "patrolled_at": datetime.now(LONDON).strftime(FMT),
            "officer_name": "PC Alpha",
            "observations": "Drove by twice, all quiet",
        },
    )
    assert logged.status_code == 303
    store_page = client.get(f"/s/{a.slug}/patrols/1").get_data(as_text=True)
    assert "Acknowledged by PC Alpha" in store_page and "Drove by twice, all quiet" in store_page
    actions = [e.action for e in _audit(engines, a.id)]
    assert actions == [
        "patrol.sent",
        "patrol.officer.opened",
        "patrol.officer.acknowledged",
        "patrol.officer.opened",
        "patrol.officer.logged_patrol",
    ]


def test_a_store_member_sees_a_message_when_the_contact_has_no_email(client, twin_stores, in_store, smtp):
    a = twin_stores["a"]
    in_store(a, lambda s: setattr(s.get(PoliceContact, 1), "email", ""))
    sign_in(client, twin_stores["owner_a"].email)
    page = client.get(f"/s/{a.slug}/patrols/1").get_data(as_text=True)
    response = client.post(f"/s/{a.slug}/patrols/1/send", data={"csrf_token": csrf_token(page)}, follow_redirects=True)
    assert "has no email address" in response.get_data(as_text=True)
    assert smtp.messages == []


def test_officer_forms_keep_what_was_typed_and_need_csrf(app, twin_stores, in_store, engines):
    path = _send(app, engines, in_store, twin_stores["a"])
    officer = app.test_client()
    body = officer.get(path).get_data(as_text=True)
    assert officer.post(f"{path}/answer", data={"officer_name": "x", "decision": "acknowledge"}).status_code == 400
    declined = officer.post(
        f"{path}/answer", data={"csrf_token": csrf_token(body), "officer_name": "PC Typed Name", "decision": "decline"}
    )
    assert declined.status_code == 400
    text = declined.get_data(as_text=True)
    assert "PC Typed Name" in text and "Say why" in text
    assert in_store(twin_stores["a"], lambda s: s.get(PatrolRequest, 1).status) == "sent"
    declined = officer.post(
        f"{path}/answer",
        data={"csrf_token": csrf_token(body), "officer_name": "PC Typed", "decision": "decline", "note": "No cars"},
    )
    assert declined.status_code == 303
    patrol = in_store(twin_stores["a"], lambda s: s.get(PatrolRequest, 1))
    assert (patrol.status, patrol.officer_note) == ("declined", "No cars")
    assert "Log a patrol" not in officer.get(path).get_data(as_text=True)


def test_tampered_foreign_and_old_links_are_refused(app, twin_stores, in_store, engines):
    a = twin_stores["a"]
    old = _send(app, engines, in_store, a)
    new = _send(app, engines, in_store, a)
    officer = app.test_client()
    assert officer.get(new).status_code == 200
    gone = officer.get(old)
    assert gone.status_code == 410 and "newer link" in gone.get_data(as_text=True)
    assert "Alpha-Secret" not in gone.get_data(as_text=True)
    token = new.rsplit("/", 1)[1]
    tampered = token[:-3] + ("AAA" if token[-3:] != "AAA" else "BBB")
    assert officer.get(f"/officer/patrol/{tampered}").status_code == 404
    with app.test_request_context():
        other_purpose = sign("invitation", {"s": a.id, "r": 1, "n": "x"})
        wrong_shape = sign("patrol", ["not", "a", "dict"])
        unknown_store = sign("patrol", {"s": 987654321, "r": 1, "n": "x"})
    for bad in (other_purpose, wrong_shape, unknown_store, "x" * 3000):
        assert officer.get(f"/officer/patrol/{bad}").status_code == 404
    # Old links cannot act either.
    page = officer.get(new).get_data(as_text=True)
    response = officer.post(
        f"{old}/answer", data={"csrf_token": csrf_token(page), "officer_name": "X", "decision": "acknowledge"}
    )
    assert response.status_code == 410
    assert in_store(a, lambda s: s.get(PatrolRequest, 1).status) == "sent"
    refused = [e for e in _audit(engines, a.id) if e.action == "patrol.officer.link_refused"]
    assert refused and all(e.outcome == "denied" for e in refused)


def test_a_link_expires_seven_days_after_the_requests_end(app, twin_stores, in_store, engines):
    a = twin_stores["a"]
    path = _send(app, engines, in_store, a)
    officer = app.test_client()

    def end_at(moment):
        def run(s):
            patrol = s.get(PatrolRequest, 1)
            patrol.starts_at, patrol.ends_at = moment - timedelta(days=1), moment

        return run

    in_store(a, end_at(datetime.now(UTC) - timedelta(days=6, hours=23)))
    assert officer.get(path).status_code == 200
    in_store(a, end_at(datetime.now(UTC) - timedelta(days=7, minutes=5)))
    response = officer.get(path)
    assert response.status_code == 410 and "expired" in response.get_data(as_text=True)


def test_store_as_officer_link_can_never_touch_store_b(app, twin_stores, in_store, engines):
    a, b = twin_stores["a"], twin_stores["b"]
    path_a = _send(app, engines, in_store, a)
    path_b = _send(app, engines, in_store, b)
    officer = app.test_client()
    body = officer.get(path_a).get_data(as_text=True)
    assert "Alpha-Secret" in body and "Beta" not in body
    response = officer.post(
        f"{path_a}/answer", data={"csrf_token": csrf_token(body), "officer_name": "PC A", "decision": "acknowledge"}
    )
    assert response.status_code == 303
    assert in_store(a, lambda s: s.get(PatrolRequest, 1).status) == "acknowledged"
    assert in_store(b, lambda s: s.get(PatrolRequest, 1).status) == "sent"
    # A's nonce under B's store id (as if the store id were swapped) is refused: each store checks its own nonce.
    nonce_a = None
    with app.test_request_context():
        from security.tokens import unsign

        nonce_a = unsign("patrol", path_a.rsplit("/", 1)[1], max_age_seconds=3600)["n"]
        swapped = sign("patrol", {"s": b.id, "r": 1, "n": nonce_a})
    response = officer.get(f"/officer/patrol/{swapped}")
    assert response.status_code == 410 and "Beta" not in response.get_data(as_text=True)
    assert officer.post(f"/officer/patrol/{swapped}/complete", data={"csrf_token": csrf_token(body)}).status_code == 410
    assert in_store(b, lambda s: s.get(PatrolRequest, 1).status) == "sent"
    assert "Beta-Secret" in officer.get(path_b).get_data(as_text=True)
    assert in_store(b, lambda s: s.scalar(sa.select(sa.func.count()).select_from(PatrolLogEntry))) == 0


HOSTILE = ["", "x" * 100_000, "\x00nul", "<script>alert(1)</script>", "2026-13-45T99:99", "-1", "😀" * 500]


def test_officer_forms_never_answer_5xx_to_hostile_input(app, twin_stores, in_store, engines):
    path = _send(app, engines, in_store, twin_stores["a"])
    officer = app.test_client()
    token = csrf_token(officer.get(path).get_data(as_text=True))
    for action, fields in (
        ("answer", ("officer_name", "note", "decision")),
        ("log", ("patrolled_at", "officer_name", "observations")),
        ("complete", ()),
    ):
        for value in HOSTILE:
            response = officer.post(f"{path}/{action}", data={"csrf_token": token, **dict.fromkeys(fields, value)})
            assert response.status_code < 500, (action, value[:20], response.status_code)
        response = officer.post(f"{path}/{action}", data={"csrf_token": token, **{f: ["a", "b"] for f in fields}})
        assert response.status_code < 500
    assert in_store(twin_stores["a"], lambda s: s.get(PatrolRequest, 1).status) == "sent"


def test_demo_seeds_an_acknowledged_request_with_a_log_and_a_trip_draft(twin_stores, in_store):
    from demo.patrols import seed_patrols

    def run(s):
        s.execute(sa.delete(PatrolRequest))
        seed_patrols(s, store_name="Demo Jewels", now=datetime.now(UTC))
        rows = s.scalars(sa.select(PatrolRequest).order_by(PatrolRequest.id)).all()
        return [(r.status, len(r.log_entries), r.trip is not None) for r in rows]

    assert in_store(twin_stores["a"], run) == [("acknowledged", 2, False), ("draft", 0, True)]


def test_staff_dashboard_does_not_reveal_the_owners_home_watch(app, make_world, make_store, make_user, in_store):
    """A home watch tells whoever sees it that the owner is away: staff dashboards leave it out."""
    store = make_store(make_world())
    owner = make_user(store=store)
    staff = make_user(store=store, role=Role.STORE_STAFF)
    start = datetime.now(UTC) + timedelta(days=1)
    in_store(
        store,
        lambda s: s.add(
            PatrolRequest(
                reason="vacation",
                place="home",
                home_address="1 Secret Lane",
                starts_at=start,
                ends_at=start + timedelta(days=7),
                status="draft",
            )
        ),
    )
    owner_client, staff_client = app.test_client(), app.test_client()
    sign_in(owner_client, owner.email)
    sign_in(staff_client, staff.email)
    assert "the owner" in owner_client.get(f"/s/{store.slug}/").get_data(as_text=True).lower()
    staff_page = staff_client.get(f"/s/{store.slug}/").get_data(as_text=True).lower()
    assert (
        "vacation" not in staff_page
        and "home" not in staff_page.split('<main id="main" tabindex="-1">')[1].split("</main>")[0]
    )


def test_an_officer_link_opened_in_a_signed_in_browser_names_no_account(app, client, twin_stores, in_store, engines):
    # The signed link let the visitor in, not the session cookie: the store owner signed in in the same browser is
    # not who opened or answered the request, and the audit log must not say so.
    a = twin_stores["a"]
    path = _send(app, engines, in_store, a)
    sign_in(client, twin_stores["owner_a"].email)
    page = client.get(path)
    assert page.status_code == 200
    post_form(client, f"{path}/answer", {"officer_name": "PC Alpha", "decision": "acknowledge"}, form_url=path)
    entries = [e for e in _audit(engines, a.id) if e.action.startswith("patrol.officer.")]
    assert [e.action for e in entries][-2:] == ["patrol.officer.opened", "patrol.officer.acknowledged"]
    assert all(e.actor_user_id is None and e.actor_email is None and e.ip == "127.0.0.1" for e in entries)
