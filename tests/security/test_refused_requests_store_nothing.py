"""A refused request stores nothing (issue #15): every view branch that renders an error after a service may have
written is found in the code and provoked over HTTP, and every row of the shared schema and of the stores involved
must be exactly as before the request.

The list of branches is generated (`refusals.refusal_branches`: each `except <DomainError subclass>` in a view that
handles POST), so a new one fails `test_every_refusal_branch_has_a_scenario` until it gets a scenario here.
"""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy.orm import Session

from blueprints.auth.mfa import MAX_FAILURES_PER_HOUR, STEP_SECONDS
from blueprints.auth.services import create_invitation
from blueprints.logbook import services as logbook
from models import Association, Incident, LoginThrottle, Role, Store
from models.alerts import UrgentAlert
from models.base import utcnow
from models.bulletins import Bulletin
from security.tokens import sign, unsign
from tests.admin.conftest import enrol, next_code, sign_in_with_code
from tests.fixtures.factories import PASSWORD, unique
from tests.fixtures.web import csrf_token, sign_in
from tests.security.refusals import Ctx, Scenario, Unreachable, changed_tables, photos, refusal_branches

INCIDENT = {
    "occurred_at": "2026-03-10T14:30",
    "incident_type": "distraction",
    "title": "Two people, one distracts",
    "narrative": "One asked to see watches while the other drifted to the ring case.",
    "location_note": "Front counter",
    "staff_involved": "Jo",
    "people-0-clothing": "Red scarf",
    "police_notified": "",
}
CASING = {
    "narrative": "Looked at every camera, asked when the safe opens.",
    "occurred_at": "2026-11-27T10:05",
    "person-clothing": "Black cap, green jacket",
    "vehicle-plate": "CS19 NGX",
}
TOO_MANY = logbook.MAX_PHOTOS + 1


def _incident(ctx: Ctx, store, title: str = "Original title") -> int:
    def add(session):
        return logbook.save_incident(
            session,
            logbook.DescribedIncident(
                occurred_at=utcnow() - timedelta(days=1),
                incident_type="suspicious_person",
                title=title,
                narrative="Seen twice.",
                people=[],
                vehicles=[],
            ),
        ).id

    return ctx.in_store(store, add)


# --- the logbook: the reproduced ones ----------------------------------------------------------------------------


def logbook_new_with_too_many_photos(ctx: Ctx):
    store = ctx.store(ctx.world())
    ctx.owner(store)
    url = f"/s/{store.slug}/logbook/new"
    return ctx.post(url, {**INCIDENT, "new_photos": photos(TOO_MANY)})


def casing_report_with_too_many_photos(ctx: Ctx):
    store = ctx.store(ctx.world())
    ctx.owner(store, Role.STORE_STAFF)
    return ctx.post(f"/s/{store.slug}/logbook/casing", {**CASING, "photos": photos(TOO_MANY)})


def edit_incident_with_too_many_photos(ctx: Ctx):
    store = ctx.store(ctx.world())
    incident_id = _incident(ctx, store)
    ctx.owner(store)
    url = f"/s/{store.slug}/logbook/{incident_id}/edit"
    response = ctx.post(url, {**INCIDENT, "title": "The edit that must not stay", "new_photos": photos(TOO_MANY)})
    assert ctx.in_store(store, lambda s: s.get(Incident, incident_id).title) == "Original title"
    return response


def upload_photos_beyond_the_limit(ctx: Ctx):
    store = ctx.store(ctx.world())
    incident_id = _incident(ctx, store)
    ctx.owner(store)
    url = f"/s/{store.slug}/logbook/{incident_id}/photos"
    return ctx.post(url, {"photos": photos(TOO_MANY)}, form_url=f"/s/{store.slug}/logbook/{incident_id}")


# --- admin -------------------------------------------------------------------------------------------------------


def alert_a_pending_bulletin_already_alerted(ctx: Ctx):
    """Approve-and-alert: the approval is flushed, then the alert is refused (the bulletin was alerted already)."""
    world = ctx.world()
    with Session(ctx.engines.owner, expire_on_commit=False) as session, session.begin():
        bulletin = Bulletin(
            association_id=world.association.id,
            region_id=world.region.id,
            region_label="North",
            tlp="AMBER",
            title="Van circling the square",
            narrative="Seen photographing windows.",
            status="pending",
        )
        session.add(bulletin)
        session.flush()
        session.add(
            UrgentAlert(bulletin_id=bulletin.id, association_id=world.association.id, region_id=world.region.id)
        )
    ctx.admin(world)
    base = f"/a/{world.association.slug}/moderation"
    return ctx.post(f"{base}/{bulletin.id}/alert", {}, form_url=base)


# --- sign-in, invitations, passwords, two-step ------------------------------------------------------------------

# Throttle counters and the audit of a refused attempt are kept on purpose (independent_transaction).
SIGN_IN_RECORDS = frozenset({"login_throttle", "audit_log"})


def _fail_codes(ctx: Ctx, key: str, failures: int) -> None:
    """Fill a throttle key's counter for this hour and the next (a test may cross the hour)."""
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    with Session(ctx.engines.owner) as session, session.begin():
        for start in (now, now + timedelta(hours=1)):
            session.add(LoginThrottle(key=key, window_start=start, failures=failures))


def _wrong_code(secret: str | None = None) -> str:
    """Six digits that are no valid code of `secret` around now."""
    valid = set()
    if secret:
        step = int(time.time()) // STEP_SECONDS
        totp = pyotp.TOTP(secret, interval=STEP_SECONDS)
        valid = {totp.generate_otp(s) for s in range(step - 3, step + 4)}
    return next(
        c for c in ("000000", "111111", "222222", "333333", "444444", "555555", "666666", "777777") if c not in valid
    )


def login_with_a_wrong_password(ctx: Ctx):
    user = ctx.make_user()
    return ctx.post("/login", {"email": user.email, "password": "not-the-password-at-all"})


def login_when_throttled(ctx: Ctx):
    user = ctx.make_user()
    _fail_codes(ctx, f"account:{user.email}", ctx.app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"])
    return ctx.post("/login", {"email": user.email, "password": PASSWORD})


def _invitation(ctx: Ctx, *, email: str, expired: bool = False) -> str:
    """An invitation to a new store's staff; returns the path of its link."""
    world = ctx.world()
    store = ctx.store(world)
    with ctx.app.test_request_context(), Session(ctx.engines.owner) as session, session.begin():
        invitation = create_invitation(
            session,
            email=email,
            name="Invited Person",
            association=session.get(Association, world.association.id),
            role=Role.STORE_STAFF,
            store=session.get(Store, store.id),
            max_age=timedelta(seconds=-60) if expired else timedelta(days=3),
        )
        return f"/invitations/{sign('invitation', invitation.nonce)}"


def accept_an_expired_invitation(ctx: Ctx):
    path = _invitation(ctx, email=f"{unique('invitee')}@example.org", expired=True)
    data = {"name": "Invited Person", "password": PASSWORD, "confirm": PASSWORD}
    return ctx.post(path, data, form_url="/login")


def accept_an_invitation_with_the_wrong_password(ctx: Ctx):
    existing = ctx.make_user()
    path = _invitation(ctx, email=existing.email)
    return ctx.post(path, {"password": "not-the-password-at-all"})


def reset_a_password_with_a_dead_link(ctx: Ctx):
    user = ctx.make_user()
    with ctx.app.test_request_context():
        path = f"/password/reset/{sign('password-reset', {'uid': user.id, 'fp': 'a-password-ago'})}"
    new = "a-brand-new-passphrase-77"
    return ctx.post(path, {"password": new, "confirm": new})


def change_a_password_with_the_wrong_current_one(ctx: Ctx):
    ctx.sign_in(ctx.make_user())
    new = "a-brand-new-passphrase-77"
    return ctx.post("/account/password", {"current": "not-the-password-at-all", "password": new, "confirm": new})


def _pending_second_step(ctx: Ctx) -> tuple[object, str]:
    world = ctx.world()
    user = ctx.make_user(association=world.association, role=Role.ASSOCIATION_ADMIN)
    secret = enrol(ctx.engines, user)
    assert sign_in(ctx.client, user.email).headers["Location"].endswith("/login/verify")
    return user, secret


def verify_a_wrong_code(ctx: Ctx):
    _user, secret = _pending_second_step(ctx)
    return ctx.post("/login/verify", {"code": _wrong_code(secret)})


def verify_when_throttled(ctx: Ctx):
    user, secret = _pending_second_step(ctx)
    _fail_codes(ctx, f"mfa:{user.id}", MAX_FAILURES_PER_HOUR)
    return ctx.post("/login/verify", {"code": next_code(ctx.engines, user.id, secret)})


def _enrolment(ctx: Ctx) -> tuple[object, dict]:
    user = ctx.make_user()
    ctx.sign_in(user)
    page = ctx.client.get("/account/two-step").get_data(as_text=True)
    enrolment = re.search(r'name="enrolment" type="hidden" value="([^"]+)"', page).group(1)
    with ctx.app.app_context():
        secret = unsign("mfa-enrol", enrolment, max_age_seconds=600)["secret"]
    return user, {"enrolment": enrolment, "code": _wrong_code(secret), "csrf": csrf_token(page)}


def enrol_with_a_wrong_code(ctx: Ctx):
    _user, form = _enrolment(ctx)
    return ctx.post("/account/two-step", {"enrolment": form["enrolment"], "code": form["code"]}, token=form["csrf"])


def enrol_when_throttled(ctx: Ctx):
    user, form = _enrolment(ctx)
    _fail_codes(ctx, f"mfa:{user.id}", MAX_FAILURES_PER_HOUR)
    return ctx.post("/account/two-step", {"enrolment": form["enrolment"], "code": form["code"]}, token=form["csrf"])


def _enrolled_and_signed_in(ctx: Ctx):
    user = ctx.make_user()
    secret = enrol(ctx.engines, user)
    sign_in_with_code(ctx.client, ctx.engines, user, secret)
    return user, secret


def renew_recovery_codes_with_a_wrong_code(ctx: Ctx):
    _user, secret = _enrolled_and_signed_in(ctx)
    url = "/account/two-step/recovery-codes"
    return ctx.post(url, {"code": _wrong_code(secret)}, form_url="/account/two-step")


def renew_recovery_codes_when_throttled(ctx: Ctx):
    user, secret = _enrolled_and_signed_in(ctx)
    _fail_codes(ctx, f"mfa:{user.id}", MAX_FAILURES_PER_HOUR)
    url = "/account/two-step/recovery-codes"
    return ctx.post(url, {"code": next_code(ctx.engines, user.id, secret)}, form_url="/account/two-step")


SCENARIOS: dict[tuple[str, str], Scenario | Unreachable] = {
    ("logbook.new_incident", "DomainError"): Scenario(
        logbook_new_with_too_many_photos, 400, f"at most {logbook.MAX_PHOTOS} photos"
    ),
    ("logbook.casing_report", "DomainError"): Scenario(
        casing_report_with_too_many_photos, 400, f"at most {logbook.MAX_PHOTOS} photos"
    ),
    ("logbook.edit_incident", "DomainError"): Scenario(
        edit_incident_with_too_many_photos, 400, f"at most {logbook.MAX_PHOTOS} photos"
    ),
    ("logbook.upload_photos", "DomainError"): Scenario(
        upload_photos_beyond_the_limit, 400, f"at most {logbook.MAX_PHOTOS} photos"
    ),
    ("admin.moderation_alert", "DomainError"): Scenario(
        alert_a_pending_bulletin_already_alerted, 302, "already sent as an urgent alert"
    ),
    ("auth.login", "LoginRefused"): Scenario(
        login_with_a_wrong_password, 401, "Email or password is incorrect", SIGN_IN_RECORDS
    ),
    ("auth.login", "LoginThrottled"): Scenario(login_when_throttled, 429, "Too many failed sign-in", SIGN_IN_RECORDS),
    ("auth.accept_invitation", "InvitationInvalid"): Scenario(accept_an_expired_invitation, 410, "has expired"),
    ("auth.accept_invitation", "LoginRefused"): Scenario(
        accept_an_invitation_with_the_wrong_password, 400, "enter its password to accept"
    ),
    ("auth.reset_password", "InvitationInvalid"): Scenario(
        reset_a_password_with_a_dead_link, 410, "not valid or was already used"
    ),
    ("auth.change_password", "LoginRefused"): Scenario(
        change_a_password_with_the_wrong_current_one, 400, "current password is not correct"
    ),
    ("mfa.verify", "MfaRefused"): Scenario(verify_a_wrong_code, 401, "That code is not right", SIGN_IN_RECORDS),
    ("mfa.verify", "MfaThrottled"): Scenario(verify_when_throttled, 429, "Too many wrong codes", SIGN_IN_RECORDS),
    ("mfa.enrol", "MfaRefused"): Scenario(enrol_with_a_wrong_code, 401, "That code does not match", SIGN_IN_RECORDS),
    ("mfa.enrol", "MfaThrottled"): Scenario(enrol_when_throttled, 429, "Too many wrong codes", SIGN_IN_RECORDS),
    ("mfa.regenerate_recovery_codes", "MfaRefused"): Scenario(
        renew_recovery_codes_with_a_wrong_code, 401, "That code is not right", SIGN_IN_RECORDS
    ),
    ("mfa.regenerate_recovery_codes", "MfaThrottled"): Scenario(
        renew_recovery_codes_when_throttled, 429, "Too many wrong codes", SIGN_IN_RECORDS
    ),
}


def test_every_refusal_branch_has_a_scenario(app):
    found = refusal_branches(app)
    assert len(found) > 40, "the scan found almost nothing: is it still reading the views?"
    assert sorted(found - SCENARIOS.keys()) == [], "add a scenario for these refusal branches"
    assert sorted(SCENARIOS.keys() - found) == [], "these branches are gone: remove their scenarios"


@pytest.mark.parametrize(
    "branch", [key for key, value in SCENARIOS.items() if isinstance(value, Scenario)], ids="/".join
)
def test_a_refused_request_stores_nothing(app, engines, make_world, make_store, make_user, in_store, branch):
    scenario = SCENARIOS[branch]
    ctx = Ctx(app, engines, make_world, make_store, make_user, in_store, app.test_client())
    response = scenario.run(ctx)
    assert ctx.before is not None, "the scenario must make its refused request with ctx.post"
    body = response.get_data(as_text=True)
    assert response.status_code == scenario.status, body[:3000]
    if 300 <= response.status_code < 400:
        body = ctx.client.get(response.headers["Location"]).get_data(as_text=True)
    assert scenario.says in body, body[:3000]
    changed = changed_tables(ctx.before, ctx.after)
    assert {name: diff for name, diff in changed.items() if name.split(".")[1] not in scenario.kept} == {}


def test_the_fingerprint_sees_a_write(app, engines, make_world, make_store, make_user, in_store):
    """The comparison above has teeth: an accepted request with the same photos changes the store's tables."""
    ctx = Ctx(app, engines, make_world, make_store, make_user, in_store, app.test_client())
    store = ctx.store(ctx.world())
    ctx.owner(store)
    response = ctx.post(f"/s/{store.slug}/logbook/new", {**INCIDENT, "new_photos": photos(2)})
    assert response.status_code == 302
    changed = changed_tables(ctx.before, ctx.after)
    assert {f"{store.schema_name}.incidents", f"{store.schema_name}.incident_photos"} <= changed.keys()
