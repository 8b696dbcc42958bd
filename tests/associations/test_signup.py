"""The public "start your association" page: sign up, confirm the email, (approval), land in the admin portal with a
getting-started checklist that ticks itself. Refused or throttled sign-ups store nothing."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from billing.crypto import SecretBox
from models import (
    AssociationSignup,
    DuesPlan,
    Invitation,
    Membership,
    PlatformSettings,
    Role,
    SignupStatus,
    StripeAccount,
    User,
)
from models.base import utcnow
from tests.admin.conftest import enrol
from tests.associations.conftest import Stored, association, audited
from tests.fixtures.factories import PASSWORD, unique
from tests.fixtures.web import csrf_token, post_form, sign_in

_LINK = re.compile(r"http://127\.0\.0\.1:5000(/start/confirm/\S+)")


def _form(slug: str, email: str, changes: dict | None = None) -> dict:
    return {
        "name": "Harbour Jewellers' Guild",
        "slug": slug,
        "timezone": "Europe/Dublin",
        "email": email,
        "person_name": "Nora Founder",
        "password": PASSWORD,
        "confirm": PASSWORD,
        **(changes or {}),
    }


def _approval(engines, required: bool) -> None:
    with Session(engines.owner) as session, session.begin():
        session.execute(sa.update(PlatformSettings).values(signup_requires_approval=required))


def _sign_up(client, smtp, slug: str, email: str) -> str:
    response = post_form(client, "/start/", _form(slug, email))
    assert response.status_code == 302 and response.headers["Location"].endswith("/start/sent")
    assert "Check your email" in client.get("/start/sent").get_data(as_text=True)
    (message,) = smtp.to(email)
    return _LINK.search(message.get_body(preferencelist=("plain",)).get_content()).group(1)


def test_sign_up_confirm_and_land_in_the_admin_portal_with_the_checklist(app, engines, smtp):
    _approval(engines, False)
    slug, email = unique("harbour"), f"{unique('nora')}@example.org"
    client = app.test_client()
    link = _sign_up(client, smtp, slug, email)
    # Nothing exists before the email is confirmed; opening the link (a mail scanner would) creates nothing either.
    assert association(engines, slug) is None
    page = client.get(link)
    assert page.status_code == 200 and "Confirm my email" in page.get_data(as_text=True)
    assert association(engines, slug) is None
    response = client.post(link, data={"csrf_token": csrf_token(page.get_data(as_text=True))})
    created = association(engines, slug)
    assert (created.name, created.timezone, created.k_threshold) == ("Harbour Jewellers' Guild", "Europe/Dublin", 5)
    with Session(engines.owner) as session:
        user = session.scalars(sa.select(User).where(User.email == email)).one()
        assert user.name == "Nora Founder"
        roles = session.scalars(sa.select(Membership.role).where(Membership.user_id == user.id)).all()
        assert roles == [Role.ASSOCIATION_ADMIN]
        signup = session.scalars(sa.select(AssociationSignup).where(AssociationSignup.slug == slug)).one()
        assert (signup.status, signup.association_id, signup.password_hash) == ("approved", created.id, "")
    assert [e.action for e in audited(engines, "association.create", slug)] == ["association.create"]
    # Signed in at once; admins must set up two-step sign-in first, then the portal opens on the checklist.
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/two-step")
    enrol(engines, user)  # (what the enrolment page does, without scanning a QR code)
    home = client.get(f"/a/{slug}/")
    body = home.get_data(as_text=True)
    assert home.status_code == 200 and "Getting started" in body
    assert body.count("(to do)") == 4 and "(done)" not in body
    # The link works once.
    again = client.get(link)
    assert again.status_code == 410 and "already used" in again.get_data(as_text=True)


def test_the_checklist_ticks_itself_from_what_exists(app, engines, make_world, make_store):
    from associations.checklist import getting_started

    world = make_world()

    def done() -> dict[str, bool]:
        with Session(engines.owner) as session:
            return {i.key: i.done for i in getting_started(session, world.association)}

    assert done() == {"regions": True, "stores": False, "liaisons": False, "dues": False}
    make_store(world)
    with Session(engines.owner) as session, session.begin():
        session.add(
            Invitation(
                email="pc@example.org",
                association_id=world.association.id,
                role=Role.POLICE_LIAISON.value,
                nonce=unique("n"),
                expires_at=utcnow(),
            )
        )
        # Sealed with the app's keys like a real one: `flask billing rotate-keys` (another test) re-seals every row.
        box = SecretBox.from_config(app.config)
        session.add(
            StripeAccount(
                association_id=world.association.id,
                secret_key_encrypted=box.seal("sk_test_checklist"),
                webhook_secret_encrypted=box.seal("whsec_checklist"),
            )
        )
    assert done() == {"regions": True, "stores": True, "liaisons": True, "dues": False}
    with Session(engines.owner) as session, session.begin():
        session.add(
            DuesPlan(association_id=world.association.id, name="Annual", interval="year", amount=100, currency="eur")
        )
    assert all(done().values())


def test_with_approval_required_the_operator_decides(app, engines, smtp, operator_client):
    _approval(engines, True)
    slug, email = unique("awaits"), f"{unique('wait')}@example.org"
    client = app.test_client()
    link = _sign_up(client, smtp, slug, email)
    page = client.get(link)
    response = client.post(link, data={"csrf_token": csrf_token(page.get_data(as_text=True))})
    assert response.status_code == 200 and "your email is confirmed" in response.get_data(as_text=True)
    assert association(engines, slug) is None
    # The address is held while it waits: nobody else can sign up with it.
    refused = post_form(app.test_client(), "/start/", _form(slug, f"{unique('other')}@example.org"))
    assert refused.status_code == 400 and "is taken" in refused.get_data(as_text=True)

    console = operator_client.get("/operator/").get_data(as_text=True)
    assert slug in console and "Approve Harbour" in console
    with Session(engines.owner) as session:
        signup_id = session.scalar(sa.select(AssociationSignup.id).where(AssociationSignup.slug == slug))
    approved = operator_client.post(f"/operator/signups/{signup_id}/approve", data={"csrf_token": csrf_token(console)})
    assert approved.status_code == 302
    created = association(engines, slug)
    assert created is not None
    assert audited(engines, "signup.approve", slug)[0].actor_user_id == operator_client.operator.id
    (decided,) = [m for m in smtp.to(email) if "is ready" in m["Subject"]]
    assert "/login" in decided.get_body(preferencelist=("plain",)).get_content()
    sign_in(app.test_client(), email)  # the password chosen at sign-up works
    # Deciding twice is not possible.
    assert (
        operator_client.post(
            f"/operator/signups/{signup_id}/reject", data={"csrf_token": csrf_token(console)}
        ).status_code
        == 404
    )


def test_the_operator_turns_a_sign_up_down_and_nothing_is_created(app, engines, smtp, operator_client):
    _approval(engines, True)
    slug, email = unique("nope"), f"{unique('nope')}@example.org"
    client = app.test_client()
    link = _sign_up(client, smtp, slug, email)
    page = client.get(link)
    client.post(link, data={"csrf_token": csrf_token(page.get_data(as_text=True))})
    with Session(engines.owner) as session:
        signup_id = session.scalar(sa.select(AssociationSignup.id).where(AssociationSignup.slug == slug))
    console = operator_client.get("/operator/").get_data(as_text=True)
    assert (
        operator_client.post(
            f"/operator/signups/{signup_id}/reject", data={"csrf_token": csrf_token(console)}
        ).status_code
        == 302
    )
    assert association(engines, slug) is None
    with Session(engines.owner) as session:
        assert session.scalar(sa.select(User.id).where(User.email == email)) is None
        assert session.get(AssociationSignup, signup_id).status == SignupStatus.REJECTED
    assert any("About your Loupe sign-up" in m["Subject"] for m in smtp.to(email))


def test_the_operator_switches_approval_on_and_off_audited(engines, operator_client):
    page = operator_client.get("/operator/").get_data(as_text=True)
    operator_client.post("/operator/settings/signups", data={"csrf_token": csrf_token(page)})
    with Session(engines.owner) as session:
        assert session.get(PlatformSettings, 1).signup_requires_approval is False
    operator_client.post("/operator/settings/signups", data={"csrf_token": csrf_token(page), "requires_approval": "y"})
    with Session(engines.owner) as session:
        assert session.get(PlatformSettings, 1).signup_requires_approval is True
        from models import AuditEntry

        actions = session.scalars(
            sa.select(AuditEntry.details).where(
                AuditEntry.action == "platform.signup_approval", AuditEntry.actor_user_id == operator_client.operator.id
            )
        ).all()
    assert [d["required"] for d in actions] == [False, True]


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"slug": "Not Valid"}, "lowercase letters"),
        ({"timezone": "Mars/Olympus_Mons"}, "Unknown time zone"),
        ({"password": "short", "confirm": "short"}, "at least 12"),
        ({"confirm": "something-else-entirely"}, "The passwords differ"),
        ({"email": "nobody"}, "name@example.org"),
        ({"name": "Bad\u200bname"}, "invisible"),
        ({"name": "x" * 201}, "Field cannot be longer than 200 characters"),
    ],
)
def test_refused_sign_ups_keep_what_was_typed_and_store_nothing(app, engines, changes, says):
    client = app.test_client()
    data = _form(unique("refused"), f"{unique('r')}@example.org", changes)
    token = csrf_token(client.get("/start/").get_data(as_text=True))
    stored = Stored(engines)
    response = client.post("/start/", data={**data, "csrf_token": token})
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and says in body, body[:3000]
    assert "Nora Founder" in body  # what was typed stays in the form
    assert stored.changed() == {}


def test_a_sign_up_with_a_taken_address_stores_nothing(app, engines, make_world):
    taken = make_world().association.slug
    client = app.test_client()
    token = csrf_token(client.get("/start/").get_data(as_text=True))
    stored = Stored(engines)
    response = client.post("/start/", data={**_form(taken, f"{unique('t')}@example.org"), "csrf_token": token})
    assert response.status_code == 400 and "is taken" in response.get_data(as_text=True)
    assert stored.changed() == {}


def test_the_sign_up_is_throttled_per_address_and_refused_without_storing(app, engines, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_SIGNUP", "1 per hour")
    client = app.test_client()
    token = csrf_token(client.get("/start/").get_data(as_text=True))
    first = client.post("/start/", data={**_form("Not Valid", "a@example.org"), "csrf_token": token})
    assert first.status_code == 400
    stored = Stored(engines)
    second = client.post(
        "/start/",
        data={**_form(unique("throttled"), f"{unique('t')}@example.org"), "csrf_token": token},
    )
    assert second.status_code == 429 and "Retry-After" in second.headers
    assert {k: v for k, v in stored.changed().items()} == {}


def test_an_expired_or_forged_link_is_refused(app, engines, smtp, monkeypatch):
    client = app.test_client()
    assert client.get("/start/confirm/forged-token").status_code == 410
    link = _sign_up(client, smtp, unique("late"), f"{unique('late')}@example.org")
    # A link older than the limit (signatures are dated to the second: a limit below zero makes this one too old).
    monkeypatch.setitem(app.config, "SIGNUP_CONFIRM_MAX_AGE", timedelta(seconds=-1))
    expired = client.get(link)
    assert expired.status_code == 410 and "expired" in expired.get_data(as_text=True)


def test_sign_ups_whose_link_expired_unused_are_purged_with_their_password_hash(app, engines, smtp):
    from jobs.tasks import purge_expired_signups

    slug = unique("stale")
    _sign_up(app.test_client(), smtp, slug, f"{unique('stale')}@example.org")
    with Session(engines.owner) as session, session.begin():
        session.execute(
            sa.update(AssociationSignup)
            .where(AssociationSignup.slug == slug)
            .values(created_at=utcnow() - app.config["SIGNUP_CONFIRM_MAX_AGE"] - timedelta(minutes=1))
        )
    fresh = unique("fresh")
    _sign_up(app.test_client(), smtp, fresh, f"{unique('fresh')}@example.org")
    with app.app_context():
        purge_expired_signups()
    with Session(engines.owner) as session:
        left = set(session.scalars(sa.select(AssociationSignup.slug).where(AssociationSignup.slug.in_([slug, fresh]))))
    assert left == {fresh}
