"""Police review of the logbook: grants, the liaison's pages, the signed link, and who gets nothing."""

from __future__ import annotations

import importlib.util
import io
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pyotp
import pytest
import sqlalchemy as sa
from PIL import Image
from sqlalchemy.orm import Session

from audit import Actor
from models import (
    AuditEntry,
    Incident,
    IncidentPerson,
    IncidentPhoto,
    IncidentVehicle,
    Membership,
    OutboundEmail,
    PoliceContact,
    PoliceShareIndex,
    ReviewAccess,
    ReviewGrant,
    Role,
    Store,
    User,
)
from models.base import utcnow
from models.registry import Association
from review import grants as services
from security.tokens import sign
from tenants.binding import store_session
from tests.fixtures.web import csrf_token, post_form, sign_in

ZONE = ZoneInfo("America/New_York")
INSIDE = "Casing Inside-Slice-Alpha"
WRONG_TYPE = "Vehicle Wrong-Type-Bravo"
TOO_OLD = "Casing Too-Old-Charlie"
TOO_NEW = "Casing Too-New-Delta"
OUTSIDE = (WRONG_TYPE, TOO_OLD, TOO_NEW)


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZONE).astimezone(UTC)


@dataclass
class ReviewWorld:
    store: Store
    other_store: Store
    owner: User
    staff: User
    liaison: User
    other_liaison: User
    outsider_liaison: User
    admin: User
    other_member: User
    since: date
    until: date
    contact_id: int
    inside_photo_id: int
    outside_photo_id: int


@pytest.fixture
def world(make_world, make_store, make_user, in_store, engines) -> ReviewWorld:
    home = make_world()
    with Session(engines.owner) as session, session.begin():
        session.execute(
            sa.update(Association).where(Association.id == home.association.id).values(timezone="America/New_York")
        )
    store = make_store(home, "Review Target Jewels")
    other_store = make_store(home, "Other Jewels Next Door")
    elsewhere = make_world()
    today = datetime.now(ZONE).date()
    since, until = today - timedelta(days=30), today - timedelta(days=1)

    def fill(session):
        contact = PoliceContact(agency="City Police", officer_name="PC Link Contact", email="pc.link@example.org")
        session.add(contact)
        inside = Incident(
            occurred_at=local(until, 23, 30),  # the last evening of the slice, on the association's clock
            incident_type="casing",
            title=INSIDE,
            narrative="Two men studied the cameras for ten minutes.",
            people=[IncidentPerson(clothing="Grey hoodie", build="Slim", asked_about="Closing time")],
            vehicles=[IncidentVehicle(make="Ford", model="Focus", colour="Blue", plate="AB12CDE")],
        )
        inside.photos = [
            IncidentPhoto(
                stored_name="a" * 32, content_type="image/png", width=4, height=3, byte_size=10, data=png_bytes()
            )
        ]
        old = Incident(
            occurred_at=local(since - timedelta(days=1), 23, 30), incident_type="casing", title=TOO_OLD, narrative="x"
        )
        old.photos = [
            IncidentPhoto(
                stored_name="b" * 32, content_type="image/png", width=4, height=3, byte_size=10, data=png_bytes()
            )
        ]
        session.add_all(
            [
                inside,
                old,
                Incident(
                    occurred_at=local(until, 12), incident_type="suspicious_vehicle", title=WRONG_TYPE, narrative="x"
                ),
                Incident(
                    occurred_at=local(until + timedelta(days=1), 0, 30),
                    incident_type="casing",
                    title=TOO_NEW,
                    narrative="x",
                ),
            ]
        )
        session.flush()
        return contact.id, inside.photos[0].id, old.photos[0].id

    contact_id, inside_photo, outside_photo = in_store(store, fill)
    w = ReviewWorld(
        store=store,
        other_store=other_store,
        owner=make_user(store=store, role=Role.STORE_OWNER),
        staff=make_user(store=store, role=Role.STORE_STAFF),
        liaison=make_user(association=home.association, role=Role.POLICE_LIAISON),
        other_liaison=make_user(association=home.association, role=Role.POLICE_LIAISON),
        outsider_liaison=make_user(association=elsewhere.association, role=Role.POLICE_LIAISON),
        admin=make_user(association=home.association, role=Role.ASSOCIATION_ADMIN),
        other_member=make_user(store=other_store, role=Role.STORE_OWNER),
        since=since,
        until=until,
        contact_id=contact_id,
        inside_photo_id=inside_photo,
        outside_photo_id=outside_photo,
    )
    for liaison in (w.liaison, w.other_liaison, w.outsider_liaison):
        enrol_two_step(engines, liaison)
    return w


def enrol_two_step(engines, user: User) -> None:
    """Liaisons must use two-step sign-in: give the user a confirmed TOTP secret."""
    with engines.owner.begin() as conn:
        conn.execute(
            sa.update(User)
            .where(User.id == user.id)
            .values(totp_secret=pyotp.random_base32(), totp_enabled_at=datetime.now(UTC), totp_last_step=None)
        )


def sign_in_two_step(client, engines, user: User) -> None:
    """Password, then a code the account has not used yet (each code works once)."""
    response = sign_in(client, user.email)
    if "/login/verify" not in response.headers["Location"]:
        return
    with engines.owner.connect() as conn:
        secret, last = conn.execute(sa.select(User.totp_secret, User.totp_last_step).where(User.id == user.id)).one()
    step = int(datetime.now(UTC).timestamp()) // 30
    step = max(step - 1, (last or 0) + 1)
    code = pyotp.TOTP(secret).generate_otp(step)
    response = post_form(client, "/login/verify", {"code": code})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]


def actor(user: User) -> Actor:
    return Actor.for_user(user, ip="127.0.0.1")


def grant_to(engines, w: ReviewWorld, recipient: str, *, types=("casing",), days=14) -> tuple[int, int | None]:
    """Create a grant as the owner, committed; returns (grant id, share id)."""
    with store_session(engines.app, w.store.schema_name) as session:
        store = session.get(Store, w.store.id)
        grant, share = services.create_grant(
            session,
            store=store,
            granted_by=actor(w.owner),
            recipient=recipient,
            incident_types=list(types),
            since=w.since,
            until=w.until,
            expires_at=datetime.now(UTC) + timedelta(days=days),
        )
        ids = grant.id, share.id if share else None
        session.commit()
    return ids


def store_read(engines, w: ReviewWorld, fn):
    with store_session(engines.app, w.store.schema_name) as session:
        return fn(session)


def audit_actions(engines, store_id: int) -> list[str]:
    with Session(engines.owner) as session:
        return list(
            session.scalars(sa.select(AuditEntry.action).where(AuditEntry.store_id == store_id).order_by(AuditEntry.id))
        )


def set_expired(engines, w: ReviewWorld, grant_id: int, *, index_too: bool) -> None:
    past = datetime.now(UTC) - timedelta(minutes=1)
    with engines.owner.begin() as conn:
        conn.execute(
            sa.update(ReviewGrant).where(ReviewGrant.id == grant_id).values(expires_at=past),
            execution_options={"schema_translate_map": {None: w.store.schema_name}},
        )
        if index_too:
            conn.execute(
                sa.update(PoliceShareIndex)
                .where(PoliceShareIndex.store_id == w.store.id, PoliceShareIndex.grant_id == grant_id)
                .values(expires_at=past)
            )


# --- domain functions, no HTTP ----------------------------------------------------------------------------------


def test_a_liaison_grant_writes_the_store_row_the_shared_pointer_and_the_logs(world, engines):
    grant_id, share_id = grant_to(engines, world, f"liaison:{world.liaison.id}")
    grant = store_read(engines, world, lambda s: s.get(ReviewGrant, grant_id))
    assert grant.recipient_kind == "liaison" and grant.liaison_user_id == world.liaison.id
    assert grant.recipient_email == world.liaison.email and grant.link_nonce is None
    with Session(engines.owner) as session:
        share = session.get(PoliceShareIndex, share_id)
        assert (share.store_id, share.grant_id, share.liaison_user_id) == (world.store.id, grant_id, world.liaison.id)
        assert share.incident_types == ["casing"] and share.revoked_at is None
    log = store_read(engines, world, lambda s: s.scalars(sa.select(ReviewAccess.action)).all())
    assert log == ["granted"]
    assert audit_actions(engines, world.store.id)[-1] == "review.grant"


def test_a_contact_grant_has_a_nonce_and_no_pointer(world, engines):
    grant_id, share_id = grant_to(engines, world, f"contact:{world.contact_id}")
    assert share_id is None
    grant = store_read(engines, world, lambda s: s.get(ReviewGrant, grant_id))
    assert grant.recipient_kind == "contact" and len(grant.link_nonce) >= 32
    assert grant.recipient_email == "pc.link@example.org"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"incident_types": []}, "incident_types"),
        ({"incident_types": ["casing", "ethnicity"]}, "incident_types"),
        ({"since": date(2026, 5, 2), "until": date(2026, 5, 1)}, "until"),
        ({"until": date(9999, 12, 31)}, "until"),
        ({"since": date(1, 1, 1)}, "since"),
        ({"expires_at": datetime.now(UTC) + timedelta(days=91)}, "expires_at"),
        ({"expires_at": datetime.now(UTC) - timedelta(minutes=1)}, "expires_at"),
        ({"recipient": "liaison:owner"}, "recipient"),
        ({"recipient": "liaison:outsider"}, "recipient"),
        ({"recipient": "liaison:admin"}, "recipient"),
        ({"recipient": "contact:999"}, "recipient"),
        ({"recipient": "store:1"}, "recipient"),
    ],
)
def test_grants_are_refused_with_a_message_at_the_field(world, engines, change, field):
    users = {"owner": world.owner, "outsider": world.outsider_liaison, "admin": world.admin}
    args = {
        "recipient": f"liaison:{world.liaison.id}",
        "incident_types": ["casing"],
        "since": world.since,
        "until": world.until,
        "expires_at": datetime.now(UTC) + timedelta(days=10),
        **change,
    }
    kind, _, who = args["recipient"].partition(":")
    if who in users:
        args["recipient"] = f"{kind}:{users[who].id}"
    with store_session(engines.app, world.store.schema_name) as session:
        store = session.get(Store, world.store.id)
        with pytest.raises(services.GrantRefused) as refused:
            services.create_grant(session, store=store, granted_by=actor(world.owner), **args)
        assert refused.value.field == field and str(refused.value)


def test_a_contact_without_email_cannot_get_a_link(world, engines, in_store):
    no_mail = in_store(world.store, lambda s: _add(s, PoliceContact(agency="X", officer_name="No Mail")).id)
    with pytest.raises(services.GrantRefused):
        grant_to(engines, world, f"contact:{no_mail}")


def _add(session, row):
    session.add(row)
    session.flush()
    return row


def test_the_slice_holds_only_its_types_and_dates_on_the_associations_calendar(world, engines):
    grant_id, _ = grant_to(engines, world, f"liaison:{world.liaison.id}")

    def read(session):
        grant = session.get(ReviewGrant, grant_id)
        titles = [i.title for i in services.slice_incidents(session, grant, ZONE)]
        inside = services.slice_photo(session, grant, world.inside_photo_id, ZONE)
        with pytest.raises(services.NotFound):
            services.slice_photo(session, grant, world.outside_photo_id, ZONE)
        return titles, inside.data

    titles, data = store_read(engines, world, read)
    assert titles == [INSIDE]
    assert data.startswith(b"\x89PNG")


def test_both_types_are_shown_when_both_are_granted(world, engines):
    grant_id, _ = grant_to(engines, world, f"liaison:{world.liaison.id}", types=("casing", "suspicious_vehicle"))
    titles = store_read(
        engines,
        world,
        lambda s: [i.title for i in services.slice_incidents(s, s.get(ReviewGrant, grant_id), ZONE)],
    )
    assert sorted(titles) == sorted([INSIDE, WRONG_TYPE])


def test_revoking_ends_the_grant_and_its_pointer_together(world, engines):
    grant_id, share_id = grant_to(engines, world, f"liaison:{world.liaison.id}")
    with store_session(engines.app, world.store.schema_name) as session:
        store = session.get(Store, world.store.id)
        grant = session.get(ReviewGrant, grant_id)
        services.revoke_grant(session, grant, store=store, actor=actor(world.owner))
        services.revoke_grant(session, grant, store=store, actor=actor(world.owner))  # twice: no change
        session.commit()
        assert grant.state(datetime.now(UTC)) == "revoked"
    with Session(engines.owner) as session:
        assert session.get(PoliceShareIndex, share_id).revoked_at is not None
        assert services.live_shares(session, world.liaison.id) == []
    assert audit_actions(engines, world.store.id).count("review.revoke") == 1


def test_live_shares_need_a_live_pointer_of_mine_in_my_association(world, engines, make_user):
    grant_id, share_id = grant_to(engines, world, f"liaison:{world.liaison.id}")
    with Session(engines.owner) as session:
        assert [s.id for s in services.live_shares(session, world.liaison.id)] == [share_id]
        assert services.live_shares(session, world.other_liaison.id) == []
        with pytest.raises(services.NotFound):
            services.live_share(session, share_id, world.other_liaison.id)
    set_expired(engines, world, grant_id, index_too=True)
    with Session(engines.owner) as session:
        assert services.live_shares(session, world.liaison.id) == []
        with pytest.raises(services.NotFound):
            services.live_share(session, share_id, world.liaison.id)


def test_review_marks_once_and_keeps_notes(world, engines):
    grant_id, share_id = grant_to(engines, world, f"liaison:{world.liaison.id}")
    with store_session(engines.app, world.store.schema_name) as session:
        store = session.get(Store, world.store.id)
        grant = session.get(ReviewGrant, grant_id)
        services.record_open(session, grant, store=store, actor=actor(world.liaison))
        services.save_review(
            session, grant, store=store, actor=actor(world.liaison), pattern_notes="Blue Focus again", reviewed=True
        )
        first = grant.reviewed_at
        services.save_review(
            session, grant, store=store, actor=actor(world.liaison), pattern_notes="Blue Focus, twice", reviewed=True
        )
        session.commit()
        assert grant.reviewed_at == first and grant.reviewed_by_name == world.liaison.name
        assert grant.pattern_notes == "Blue Focus, twice" and grant.open_count == 1 and grant.first_opened_at
    actions = store_read(
        engines, world, lambda s: s.scalars(sa.select(ReviewAccess.action).order_by(ReviewAccess.id)).all()
    )
    assert actions == ["granted", "opened", "notes", "reviewed", "notes"]
    with Session(engines.owner) as session:
        assert session.get(PoliceShareIndex, share_id).reviewed_at == first
    assert {"review.open", "review.reviewed", "review.notes"} <= set(audit_actions(engines, world.store.id))


# --- the store's pages ------------------------------------------------------------------------------------------


def _form_data(w: ReviewWorld, **overrides) -> dict:
    expires = (datetime.now(ZONE) + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    return {
        "recipient": f"liaison:{w.liaison.id}",
        "incident_types": ["casing"],
        "since": w.since.isoformat(),
        "until": w.until.isoformat(),
        "expires_at": expires,
        "message": "Please look at the blue Focus.",
        **overrides,
    }


def test_the_owner_grants_a_liaison_and_the_liaison_is_emailed(client, world, engines, smtp):
    sign_in(client, world.owner.email)
    form = client.get(f"/s/{world.store.slug}/review/new").get_data(as_text=True)
    assert world.liaison.name in form and "PC Link Contact" in form
    assert world.outsider_liaison.email not in form and world.admin.email not in form
    response = post_form(client, f"/s/{world.store.slug}/review/new", _form_data(world))
    assert response.status_code == 302
    received = [m["Subject"] for m in smtp.to(world.liaison.email)]  # reading the inbox runs the worker
    with Session(engines.owner) as session:
        mail = session.scalars(sa.select(OutboundEmail).where(OutboundEmail.to_address == world.liaison.email)).one()
        share_id = session.scalar(sa.select(PoliceShareIndex.id).where(PoliceShareIndex.store_id == world.store.id))
    assert mail.subject.startswith("TLP:RED") and f"/liaison/reviews/{share_id}" in mail.body_text
    assert INSIDE not in mail.body_text and INSIDE not in (mail.body_html or "")
    assert mail.status == "sent" and received == [mail.subject]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert world.liaison.name in page and "Not opened yet" in page and INSIDE in page and TOO_OLD not in page


def test_a_contact_gets_a_tlp_red_email_with_a_signed_link_that_opens_the_slice(app, client, world, engines, smtp):
    sign_in(client, world.owner.email)
    response = post_form(
        client, f"/s/{world.store.slug}/review/new", _form_data(world, recipient=f"contact:{world.contact_id}")
    )
    assert response.status_code == 302
    received = smtp.to("pc.link@example.org")  # reading the inbox runs the worker
    with Session(engines.owner) as session:
        mail = session.scalars(sa.select(OutboundEmail).where(OutboundEmail.to_address == "pc.link@example.org")).one()
    assert mail.subject.startswith("TLP:RED") and "TLP:RED" in mail.body_text
    assert mail.status == "sent" and len(received) == 1
    link = re.search(r"/officer/review/[\w.-]+", mail.body_text).group(0)
    page = app.test_client().get(link)
    assert page.status_code == 200 and INSIDE in page.get_data(as_text=True)


def test_an_invalid_grant_answers_400_and_keeps_what_was_typed(client, world, engines):
    sign_in(client, world.owner.email)
    too_late = (datetime.now(ZONE) + timedelta(days=120)).strftime("%Y-%m-%dT%H:%M")
    response = post_form(
        client,
        f"/s/{world.store.slug}/review/new",
        _form_data(world, expires_at=too_late, message="Typed-Message-Kept"),
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "at most 90 days" in body and "Typed-Message-Kept" in body and too_late in body
    response = post_form(client, f"/s/{world.store.slug}/review/new", _form_data(world, incident_types=[]))
    assert response.status_code == 400 and "at least one type" in response.get_data(as_text=True)
    response = post_form(
        client,
        f"/s/{world.store.slug}/review/new",
        _form_data(world, since=world.until.isoformat(), until=world.since.isoformat()),
    )
    assert response.status_code == 400 and "must not be before" in response.get_data(as_text=True)
    assert store_read(engines, world, lambda s: s.scalar(sa.select(sa.func.count()).select_from(ReviewGrant))) == 0


def test_a_grant_without_csrf_is_refused(client, world):
    sign_in(client, world.owner.email)
    response = client.post(f"/s/{world.store.slug}/review/new", data=_form_data(world))
    assert response.status_code == 400


def test_staff_see_grants_but_cannot_grant_or_revoke(client, world, engines):
    grant_id, _ = grant_to(engines, world, f"liaison:{world.liaison.id}")
    sign_in(client, world.staff.email)
    assert client.get(f"/s/{world.store.slug}/review/").status_code == 200
    page = client.get(f"/s/{world.store.slug}/review/{grant_id}")
    assert page.status_code == 200 and "Revoke" not in page.get_data(as_text=True)
    assert client.get(f"/s/{world.store.slug}/review/new").status_code == 403
    token = csrf_token(client.get("/account/password").get_data(as_text=True))
    assert client.post(f"/s/{world.store.slug}/review/{grant_id}/revoke", data={"csrf_token": token}).status_code == 403
    assert store_read(engines, world, lambda s: s.get(ReviewGrant, grant_id).revoked_at) is None


def test_the_owner_revokes_and_the_liaison_loses_access_at_once(app, world, engines):
    grant_id, share_id = grant_to(engines, world, f"liaison:{world.liaison.id}")
    officer = app.test_client()
    sign_in_two_step(officer, engines, world.liaison)
    assert officer.get(f"/liaison/reviews/{share_id}").status_code == 200
    owner = app.test_client()
    sign_in(owner, world.owner.email)
    response = post_form(
        owner,
        f"/s/{world.store.slug}/review/{grant_id}/revoke",
        {},
        form_url=f"/s/{world.store.slug}/review/{grant_id}",
    )
    assert response.status_code == 302
    assert "Revoked" in owner.get(f"/s/{world.store.slug}/review/{grant_id}").get_data(as_text=True)
    gone = officer.get(f"/liaison/reviews/{share_id}")
    assert gone.status_code == 404 and INSIDE not in gone.get_data(as_text=True)
    assert world.store.name not in officer.get("/liaison/").get_data(as_text=True)


# --- the liaison's pages ----------------------------------------------------------------------------------------


def test_a_liaison_is_sent_to_their_reviews_and_opens_one(client, world, engines):
    grant_id, share_id = grant_to(engines, world, f"liaison:{world.liaison.id}")
    sign_in_two_step(client, engines, world.liaison)
    assert client.get("/").headers["Location"].endswith("/liaison/")
    home = client.get("/liaison/").get_data(as_text=True)
    assert world.store.name in home and "Casing" in home and INSIDE not in home
    page = client.get(f"/liaison/reviews/{share_id}")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and "TLP:RED" in body
    assert INSIDE in body and "Grey hoodie" in body and "AB12CDE" in body
    assert not any(title in body for title in OUTSIDE)
    # The liaison is no member of the store: no store navigation.
    assert f"/s/{world.store.slug}/" not in body
    photo_url = f"/liaison/reviews/{share_id}/photos/{world.inside_photo_id}"
    assert photo_url in body
    photo = client.get(photo_url)
    assert photo.status_code == 200 and photo.mimetype == "image/png" and photo.data.startswith(b"\x89PNG")
    assert photo.headers["X-Content-Type-Options"] == "nosniff" and "no-store" in photo.headers["Cache-Control"]
    assert client.get(f"/liaison/reviews/{share_id}/photos/{world.outside_photo_id}").status_code == 404
    grant = store_read(engines, world, lambda s: s.get(ReviewGrant, grant_id))
    assert grant.open_count == 1 and grant.first_opened_at is not None
    log = store_read(
        engines, world, lambda s: s.scalars(sa.select(ReviewAccess.action).order_by(ReviewAccess.id)).all()
    )
    assert log == ["granted", "opened", "photo"]
    assert {"review.open", "review.photo"} <= set(audit_actions(engines, world.store.id))


def test_the_liaison_marks_it_reviewed_and_the_store_sees_it(app, client, world, engines):
    grant_id, share_id = grant_to(engines, world, f"liaison:{world.liaison.id}")
    sign_in_two_step(client, engines, world.liaison)
    url = f"/liaison/reviews/{share_id}"
    too_long = post_form(client, url, {"pattern_notes": "x" * 10_001, "reviewed": "y"})
    assert too_long.status_code == 400 and "x" * 100 in too_long.get_data(as_text=True)
    response = post_form(client, url, {"pattern_notes": "Same blue Focus <script>alert(1)</script>", "reviewed": "y"})
    assert response.status_code == 302
    owner = app.test_client()
    sign_in(owner, world.owner.email)
    page = owner.get(f"/s/{world.store.slug}/review/{grant_id}").get_data(as_text=True)
    assert "Same blue Focus &lt;script&gt;" in page and world.liaison.name in page and "reviewed" in page
    listing = owner.get(f"/s/{world.store.slug}/review/").get_data(as_text=True)
    assert "Reviewed" in listing and "last opened" in listing
    with Session(engines.owner) as session:
        assert session.get(PoliceShareIndex, share_id).reviewed_at is not None


@pytest.mark.parametrize("who", ["other_liaison", "outsider_liaison", "other_member", "admin", "owner", "staff"])
def test_nobody_else_opens_a_liaisons_review(app, world, engines, who):
    _grant_id, share_id = grant_to(engines, world, f"liaison:{world.liaison.id}")
    client = app.test_client()
    sign_in_two_step(client, engines, getattr(world, who))
    token = csrf_token(client.get("/account/password").get_data(as_text=True))
    for method, url in [
        ("GET", f"/liaison/reviews/{share_id}"),
        ("POST", f"/liaison/reviews/{share_id}"),
        ("GET", f"/liaison/reviews/{share_id}/photos/{world.inside_photo_id}"),
        ("GET", "/liaison/"),
    ]:
        if url == "/liaison/" and who in ("other_liaison", "outsider_liaison"):
            body = client.get(url).get_data(as_text=True)
            assert world.store.name not in body
            continue
        response = client.open(
            url, method=method, data={"csrf_token": token, "pattern_notes": "hijack", "reviewed": "y"}
        )
        assert response.status_code in (403, 404), (method, url, response.status_code)
        body = response.get_data(as_text=True)
        assert INSIDE not in body and "Grey hoodie" not in body
    grant = store_read(engines, world, lambda s: s.scalars(sa.select(ReviewGrant)).one())
    assert grant.open_count == 0 and grant.reviewed_at is None and grant.pattern_notes == ""


@pytest.mark.parametrize("index_too", [True, False])
def test_an_expired_grant_shows_nothing(client, world, engines, index_too):
    grant_id, share_id = grant_to(engines, world, f"liaison:{world.liaison.id}")
    set_expired(engines, world, grant_id, index_too=index_too)  # False: the store's own row is checked as well
    sign_in_two_step(client, engines, world.liaison)
    response = client.get(f"/liaison/reviews/{share_id}")
    assert response.status_code == 404 and INSIDE not in response.get_data(as_text=True)


def test_a_liaison_who_lost_the_role_loses_the_review(client, world, engines):
    from models import Membership

    _grant_id, share_id = grant_to(engines, world, f"liaison:{world.liaison.id}")
    with engines.owner.begin() as conn:
        conn.execute(sa.delete(Membership).where(Membership.user_id == world.liaison.id))
    sign_in_two_step(client, engines, world.liaison)
    assert client.get(f"/liaison/reviews/{share_id}").status_code == 403


def test_a_liaison_without_two_step_sign_in_is_sent_to_enrol_first(client, world, engines):
    _grant_id, share_id = grant_to(engines, world, f"liaison:{world.liaison.id}")
    with engines.owner.begin() as conn:
        conn.execute(sa.update(User).where(User.id == world.liaison.id).values(totp_secret=None, totp_enabled_at=None))
    sign_in(client, world.liaison.email)
    for url in (
        "/liaison/",
        f"/liaison/reviews/{share_id}",
        f"/liaison/reviews/{share_id}/photos/{world.inside_photo_id}",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/account/two-step" in response.headers["Location"], url
        assert INSIDE not in response.get_data(as_text=True)
    assert store_read(engines, world, lambda s: s.scalars(sa.select(ReviewGrant)).one().open_count) == 0


def test_anonymous_visitors_are_sent_to_sign_in(client, world, engines):
    _grant_id, share_id = grant_to(engines, world, f"liaison:{world.liaison.id}")
    for url in ("/liaison/", f"/liaison/reviews/{share_id}", f"/liaison/reviews/{share_id}/photos/1"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- the signed link --------------------------------------------------------------------------------------------


def _link_token(app, w: ReviewWorld, grant_id: int, nonce: str) -> str:
    with app.test_request_context():
        return sign("review", {"s": w.store.id, "g": grant_id, "n": nonce})


def test_a_contact_opens_the_signed_link_and_reviews(app, client, world, engines):
    grant_id, _ = grant_to(engines, world, f"contact:{world.contact_id}")
    nonce = store_read(engines, world, lambda s: s.get(ReviewGrant, grant_id).link_nonce)
    url = f"/officer/review/{_link_token(app, world, grant_id, nonce)}"
    page = client.get(url)
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and INSIDE in body and "TLP:RED" in body
    assert not any(title in body for title in OUTSIDE)
    assert client.get(f"{url}/photos/{world.inside_photo_id}").status_code == 200
    assert client.get(f"{url}/photos/{world.outside_photo_id}").status_code == 404
    response = post_form(client, url, {"pattern_notes": "Seen at two stores", "reviewed": "y"})
    assert response.status_code == 302
    grant = store_read(engines, world, lambda s: s.get(ReviewGrant, grant_id))
    assert grant.reviewed_by_name == "PC Link Contact" and grant.pattern_notes == "Seen at two stores"
    log = store_read(
        engines, world, lambda s: s.scalars(sa.select(ReviewAccess.action).order_by(ReviewAccess.id)).all()
    )
    assert log == ["granted", "opened", "photo", "opened", "notes", "reviewed"]  # post_form GETs the page first


def test_a_signed_link_opened_in_a_signed_in_browser_is_audited_as_the_links_holder(app, client, world, engines):
    # The link, not the session cookie, let the visitor in: the store's owner signed in in the same browser must
    # not appear as the officer in the audit log.
    grant_id, _ = grant_to(engines, world, f"contact:{world.contact_id}")
    nonce = store_read(engines, world, lambda s: s.get(ReviewGrant, grant_id).link_nonce)
    sign_in(client, world.owner.email)
    assert client.get(f"/officer/review/{_link_token(app, world, grant_id, nonce)}").status_code == 200
    with Session(engines.owner) as session:
        entry = session.scalars(
            sa.select(AuditEntry).where(AuditEntry.action == "review.open", AuditEntry.store_id == world.store.id)
        ).one()
    recipient = store_read(engines, world, lambda s: s.get(ReviewGrant, grant_id).recipient_email)
    assert entry.actor_user_id is None and entry.actor_email == recipient != world.owner.email
    assert entry.ip == "127.0.0.1"


def test_bad_revoked_and_foreign_links_show_nothing(app, client, world, engines):
    contact_grant, _ = grant_to(engines, world, f"contact:{world.contact_id}")
    liaison_grant, _ = grant_to(engines, world, f"liaison:{world.liaison.id}")
    nonce = store_read(engines, world, lambda s: s.get(ReviewGrant, contact_grant).link_nonce)
    good = _link_token(app, world, contact_grant, nonce)
    with app.test_request_context():
        other_store = sign("review", {"s": world.other_store.id, "g": contact_grant, "n": nonce})
        other_purpose = sign("patrol", {"s": world.store.id, "g": contact_grant, "n": nonce})
    bad = [
        good[:-3] + "abc",
        _link_token(app, world, contact_grant, "guessed-nonce"),
        _link_token(app, world, liaison_grant, nonce),  # a liaison's grant is never opened by link
        other_store,
        other_purpose,
        "not-a-token",
    ]
    for token in bad:
        response = client.get(f"/officer/review/{token}")
        assert response.status_code == 404, token
        assert INSIDE not in response.get_data(as_text=True)
    with store_session(engines.app, world.store.schema_name) as session:
        store = session.get(Store, world.store.id)
        services.revoke_grant(session, session.get(ReviewGrant, contact_grant), store=store, actor=actor(world.owner))
        session.commit()
    response = client.get(f"/officer/review/{good}")
    assert response.status_code == 404 and INSIDE not in response.get_data(as_text=True)
    assert client.get(f"/officer/review/{good}/photos/{world.inside_photo_id}").status_code == 404


# --- the store's pages, from outside ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["other_member", "admin", "liaison", "outsider_liaison"])
def test_outsiders_get_nothing_of_the_stores_review_pages(app, world, engines, who):
    grant_id, _ = grant_to(engines, world, f"liaison:{world.liaison.id}")
    client = app.test_client()
    sign_in_two_step(client, engines, getattr(world, who))
    token = csrf_token(client.get("/account/password").get_data(as_text=True))
    base = f"/s/{world.store.slug}/review"
    for method, url in [
        ("GET", f"{base}/"),
        ("GET", f"{base}/new"),
        ("POST", f"{base}/new"),
        ("GET", f"{base}/{grant_id}"),
        ("POST", f"{base}/{grant_id}/revoke"),
    ]:
        response = client.open(url, method=method, data={"csrf_token": token, **_form_data(world)})
        assert response.status_code in (403, 404), (method, url)
        body = response.get_data(as_text=True)
        assert INSIDE not in body and world.liaison.email not in body
    assert store_read(engines, world, lambda s: s.get(ReviewGrant, grant_id).revoked_at) is None
    assert store_read(engines, world, lambda s: s.scalar(sa.select(sa.func.count()).select_from(ReviewGrant))) == 1


def test_unreviewed_live_grants_need_attention_until_reviewed(world, engines):
    grant_id, _ = grant_to(engines, world, f"liaison:{world.liaison.id}", days=2)
    grant_to(engines, world, f"contact:{world.contact_id}", days=30)

    def items(session):
        return services.attention_items(session, today=datetime.now(ZONE).date())

    found = store_read(engines, world, items)
    assert [i.kind for i in found] == ["share_unreviewed", "share_unreviewed"]
    assert found[0].values == {"grant_id": grant_id} and found[0].severity == "high"
    with store_session(engines.app, world.store.schema_name) as session:
        store = session.get(Store, world.store.id)
        services.save_review(
            session,
            session.get(ReviewGrant, grant_id),
            store=store,
            actor=actor(world.liaison),
            pattern_notes="",
            reviewed=True,
        )
        session.commit()
    assert len(store_read(engines, world, items)) == 1


# --- dates out of range (issue #16, item 3) ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        {"until": "9999-12-31"},
        {"since": "0001-01-01"},
        {"expires_at": "9999-12-31T23:59"},
    ],
)
def test_a_grant_with_a_date_out_of_range_is_a_400_that_keeps_what_was_typed(client, world, engines, change):
    sign_in(client, world.owner.email)
    response = post_form(
        client, f"/s/{world.store.slug}/review/new", _form_data(world, message="Typed-Message-Kept", **change)
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter a date between 1900 and 2200." in body
    assert "Typed-Message-Kept" in body and next(iter(change.values())) in body
    assert store_read(engines, world, lambda s: s.scalar(sa.select(sa.func.count()).select_from(ReviewGrant))) == 0


def _store_extreme_dates(engines, w: ReviewWorld, grant_id: int) -> None:
    """What a grant made before the range checks could hold: written straight to both tables."""
    values = {"since": date(1, 1, 1), "until": date(9999, 12, 31)}
    with engines.owner.begin() as conn:
        conn.execute(
            sa.update(ReviewGrant).where(ReviewGrant.id == grant_id).values(**values),
            execution_options={"schema_translate_map": {None: w.store.schema_name}},
        )
        conn.execute(
            sa.update(PoliceShareIndex)
            .where(PoliceShareIndex.store_id == w.store.id, PoliceShareIndex.grant_id == grant_id)
            .values(**values)
        )


def test_a_stored_grant_with_extreme_dates_still_opens_for_the_store_and_the_liaison(app, world, engines):
    grant_id, share_id = grant_to(engines, world, f"liaison:{world.liaison.id}")
    _store_extreme_dates(engines, world, grant_id)
    owner = app.test_client()
    sign_in(owner, world.owner.email)
    page = owner.get(f"/s/{world.store.slug}/review/{grant_id}")
    assert page.status_code == 200 and INSIDE in page.get_data(as_text=True)
    assert owner.get(f"/s/{world.store.slug}/review/").status_code == 200
    officer = app.test_client()
    sign_in_two_step(officer, engines, world.liaison)
    assert officer.get("/liaison/").status_code == 200
    review = officer.get(f"/liaison/reviews/{share_id}")
    assert review.status_code == 200 and INSIDE in review.get_data(as_text=True)
    grant_url = f"/s/{world.store.slug}/review/{grant_id}"
    assert post_form(owner, f"{grant_url}/revoke", {}, form_url=grant_url).status_code == 302
    page = owner.get(f"/s/{world.store.slug}/review/{grant_id}")
    assert page.status_code == 200 and "Revoked" in page.get_data(as_text=True)


def _migration(path: str):
    """A migration file loaded as a module (its REPAIRS are the statements its upgrade runs)."""
    spec = importlib.util.spec_from_file_location(Path(path).stem, Path(__file__).parents[2] / path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_migrations_repair_grants_stored_out_of_range(world, engines):
    grant_id, share_id = grant_to(engines, world, f"liaison:{world.liaison.id}")
    kept_id, _ = grant_to(engines, world, f"liaison:{world.liaison.id}")
    _store_extreme_dates(engines, world, grant_id)
    far = datetime(9999, 12, 31, 12, tzinfo=UTC)
    with engines.owner.begin() as conn:
        conn.execute(
            sa.update(ReviewGrant).where(ReviewGrant.id == grant_id).values(expires_at=far),
            execution_options={"schema_translate_map": {None: world.store.schema_name}},
        )
        conn.execute(sa.update(PoliceShareIndex).where(PoliceShareIndex.id == share_id).values(expires_at=far))
    shared = _migration("migrations/shared/versions/0017_repair_out_of_range_dates.py")
    store = _migration("migrations/store/versions/s0009_repair_out_of_range_grant_dates.py")
    with engines.owner.begin() as conn:
        for statement in shared.REPAIRS:
            conn.exec_driver_sql(statement)
        conn.exec_driver_sql(f'SET LOCAL search_path TO "{world.store.schema_name}"')
        for statement in store.REPAIRS:
            conn.exec_driver_sql(statement)
    grant, kept = store_read(engines, world, lambda s: (s.get(ReviewGrant, grant_id), s.get(ReviewGrant, kept_id)))
    with Session(engines.owner) as session:
        share = session.get(PoliceShareIndex, share_id)
    for row in (grant, share):
        assert (row.since, row.until) == (date(1900, 1, 1), date(2200, 12, 31))
        assert row.expires_at == row.created_at + timedelta(days=services.MAX_GRANT_DAYS)
    assert (kept.since, kept.until) == (world.since, world.until)  # rows in range are left as they were
    assert kept.expires_at < kept.created_at + timedelta(days=services.MAX_GRANT_DAYS)


def test_a_liaison_of_two_associations_loses_the_reviews_of_the_suspended_one(client, world, engines, make_world):
    _grant_id, share_id = grant_to(engines, world, f"liaison:{world.liaison.id}")
    open_world = make_world("Open Guild")
    with Session(engines.owner) as session, session.begin():
        session.add(
            Membership(user_id=world.liaison.id, association_id=open_world.association.id, role=Role.POLICE_LIAISON)
        )
        session.execute(
            sa.update(Association).where(Association.id == world.store.association_id).values(suspended_at=utcnow())
        )
    sign_in_two_step(client, engines, world.liaison)
    home = client.get("/liaison/")
    assert home.status_code == 200 and world.store.name not in home.get_data(as_text=True)
    page = client.get(f"/liaison/reviews/{share_id}")
    assert page.status_code == 423 and INSIDE not in page.get_data(as_text=True)
    assert client.get(f"/liaison/reviews/{share_id}/photos/{world.inside_photo_id}").status_code == 423
