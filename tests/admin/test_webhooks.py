"""Outgoing webhooks (issue 20 part 5), against a real local HTTP receiver: signed deliveries, the TLP cap,
retries from the job queue with a delivery log, "send a test", and the SSRF rules (private targets refused when
subscribing and again at delivery, redirects not followed)."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from audit import Actor
from bulletins import moderation
from config import JOBS_SCHEMA
from models import Association, WebhookDelivery, WebhookSubscription
from models.base import utcnow
from models.bulletins import Bulletin
from outgoing import signing
from outgoing import subscriptions as services
from outgoing.targets import TargetRefused, check_url
from tests.admin.conftest import audit_actions, token_of
from tests.fixtures.outbound import expect_outbound


class Receiver:
    """A local endpoint recording what it receives and answering `status` (and `location` for a redirect)."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.status = 200
        self.location = ""
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.received.append({"headers": dict(self.headers), "body": body, "path": self.path})
                self.send_response(receiver.status)
                if receiver.location:
                    self.send_header("Location", receiver.location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/loupe"


@pytest.fixture
def receiver(app, monkeypatch):
    found = Receiver()
    thread = threading.Thread(target=found.server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_PRIVATE_TARGETS", True)  # the receiver is on 127.0.0.1
    with expect_outbound("127.0.0.1", found.server.server_port):
        yield found
    found.server.shutdown()
    found.server.server_close()


def _subscribe(engines, association, url, *, events=("bulletin.published",), max_tlp="GREEN") -> str:
    with Session(engines.owner, expire_on_commit=False) as session, session.begin():
        made = services.subscribe(
            session,
            session.get(Association, association.id),
            url=url,
            chosen_events=list(events),
            max_tlp=max_tlp,
            actor=Actor.system("test"),
            allow_private=True,
        )
    return made.secret


def _pending_bulletin(engines, world, *, tlp):
    with Session(engines.owner, expire_on_commit=False) as session, session.begin():
        bulletin = Bulletin(
            association_id=world.association.id,
            region_id=world.region.id,
            region_label=world.region.name,
            tlp=tlp,
            title=f"A {tlp} bulletin",
            narrative="Seen photographing windows.",
            status="pending",
            expires_at=utcnow() + timedelta(days=30),
        )
        session.add(bulletin)
    return bulletin


def _deliveries(engines):
    with Session(engines.owner) as session:
        return session.scalars(sa.select(WebhookDelivery).order_by(WebhookDelivery.id)).all()


@pytest.fixture(autouse=True)
def _no_deliveries_of_other_tests(engines):
    with engines.owner.begin() as conn:
        conn.execute(sa.delete(WebhookDelivery))


def test_an_admin_subscribes_sees_the_secret_once_and_a_test_is_signed(
    admin_client, admin_world, receiver, run_jobs, engines
):
    slug = admin_world.world.association.slug
    url = f"/a/{slug}/webhooks/"
    page = admin_client.post(
        url,
        data={
            "url": receiver.url,
            "events": ["bulletin.published", "urgent_alert.sent"],
            "max_tlp": "AMBER",
            "csrf_token": token_of(admin_client, url),
        },
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "shown only once" in html
    secret = html.split('id="signing-secret">')[1].split("<")[0]
    with Session(engines.owner) as session:
        row = session.scalar(sa.select(WebhookSubscription).order_by(WebhookSubscription.id.desc()))
        assert secret not in row.secret_sealed
    assert secret not in admin_client.get(url).get_data(as_text=True)
    detail = f"/a/{slug}/webhooks/{row.id}"
    sent = admin_client.post(f"{detail}/test", data={"csrf_token": token_of(admin_client, detail)})
    assert sent.status_code == 302
    run_jobs()
    assert len(receiver.received) == 1
    got = receiver.received[0]
    assert got["path"] == "/hooks/loupe" and got["headers"]["Loupe-Event"] == "ping"
    assert signing.verify(secret, got["headers"][signing.HEADER], got["body"], now=int(time.time()))
    assert not signing.verify("whsec_other", got["headers"][signing.HEADER], got["body"], now=int(time.time()))
    assert not signing.verify(secret, got["headers"][signing.HEADER], got["body"], now=int(time.time()) + 3600)
    assert "delivered" in admin_client.get(detail).get_data(as_text=True)
    assert {"webhook.subscribed", "webhook.test_sent"} <= set(audit_actions(engines, admin_world.world.association.id))


def test_a_published_bulletin_is_sent_within_the_subscriptions_tlp_cap(admin_world, receiver, run_jobs, engines):
    world = admin_world.world
    _subscribe(engines, world.association, receiver.url, max_tlp="GREEN")
    green, amber = _pending_bulletin(engines, world, tlp="GREEN"), _pending_bulletin(engines, world, tlp="AMBER")
    with Session(engines.owner, expire_on_commit=False) as session, session.begin():
        association = session.get(Association, world.association.id)
        for bulletin in (green, amber):
            moderation.approve(session, association, session.get(Bulletin, bulletin.id), actor=Actor.system("test"))
    run_jobs()
    import json

    bodies = [json.loads(r["body"]) for r in receiver.received]
    assert [b["data"]["bulletin"]["id"] for b in bodies] == [green.id]  # AMBER is stricter than the cap
    sent = bodies[0]["data"]["bulletin"]
    assert bodies[0]["event"] == "bulletin.published" and sent["tlp"] == "GREEN"
    assert not {"store_id", "store", "shared_by", "decided_by_user_id"} & set(sent)


def test_a_failed_delivery_is_retried_by_the_queue_and_logged(admin_world, receiver, run_jobs, engines):
    world = admin_world.world
    _subscribe(engines, world.association, receiver.url)
    receiver.status = 500
    bulletin = _pending_bulletin(engines, world, tlp="GREEN")
    with Session(engines.owner, expire_on_commit=False) as session, session.begin():
        association = session.get(Association, world.association.id)
        moderation.approve(session, association, session.get(Bulletin, bulletin.id), actor=Actor.system("test"))
    run_jobs()
    [delivery] = _deliveries(engines)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("retrying", 1, 500)
    assert "answered 500" in delivery.last_error
    # The queue's backoff: bring the retry forward instead of waiting for it.
    with engines.owner.begin() as conn:
        waiting = conn.execute(
            sa.text(
                f"UPDATE {JOBS_SCHEMA}.procrastinate_jobs SET scheduled_at = now() "
                "WHERE task_name = 'webhooks.deliver' AND status = 'todo' RETURNING id"
            )
        ).all()
    assert len(waiting) == 1  # retried by the queue, not by a second job
    receiver.status = 200
    run_jobs()
    [delivery] = _deliveries(engines)
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("delivered", 2, "")
    assert len(receiver.received) == 2


def test_redirects_are_not_followed(admin_world, receiver, run_jobs, engines):
    _subscribe(engines, admin_world.world.association, receiver.url, events=["pattern.detected", "bulletin.published"])
    receiver.status, receiver.location = 302, "http://169.254.169.254/latest/meta-data/"
    bulletin = _pending_bulletin(engines, admin_world.world, tlp="GREEN")
    with Session(engines.owner, expire_on_commit=False) as session, session.begin():
        association = session.get(Association, admin_world.world.association.id)
        moderation.approve(session, association, session.get(Bulletin, bulletin.id), actor=Actor.system("test"))
    run_jobs()
    [delivery] = _deliveries(engines)
    assert delivery.status == "retrying" and "redirects are not followed" in delivery.last_error
    assert len(receiver.received) == 1


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://localhost:8080/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://224.0.0.1/hook",
        "http://0.0.0.0/hook",
        "http://240.0.0.1/hook",
        "ftp://example.org/hook",
        "http://user:pw@example.org/hook",
    ],
)
def test_private_and_odd_targets_are_refused(url):
    with pytest.raises(TargetRefused):
        check_url(url)


def test_the_admin_page_refuses_a_private_target_and_stores_nothing(admin_client, admin_world, engines):
    url = f"/a/{admin_world.world.association.slug}/webhooks/"
    page = admin_client.post(
        url,
        data={
            "url": "http://127.0.0.1:9/hook",
            "events": ["bulletin.published"],
            "max_tlp": "GREEN",
            "csrf_token": token_of(admin_client, url),
        },
    )
    assert page.status_code == 400 and "public addresses only" in page.get_data(as_text=True)
    assert 'value="http://127.0.0.1:9/hook"' in page.get_data(as_text=True)  # what was typed is kept
    with Session(engines.owner) as session:
        assert (
            session.scalar(
                sa.select(sa.func.count())
                .select_from(WebhookSubscription)
                .where(WebhookSubscription.association_id == admin_world.world.association.id)
            )
            == 0
        )


def test_the_target_is_checked_again_at_delivery(app, admin_world, run_jobs, engines, monkeypatch):
    """Subscribed while private targets were allowed (or its DNS changed since): the delivery refuses to connect
    (the outbound guard would fail this test on any connection)."""
    _subscribe(engines, admin_world.world.association, "http://127.0.0.1:9/hook")
    monkeypatch.setitem(app.config, "WEBHOOKS_ALLOW_PRIVATE_TARGETS", False)
    bulletin = _pending_bulletin(engines, admin_world.world, tlp="GREEN")
    with Session(engines.owner, expire_on_commit=False) as session, session.begin():
        association = session.get(Association, admin_world.world.association.id)
        moderation.approve(session, association, session.get(Bulletin, bulletin.id), actor=Actor.system("test"))
    run_jobs()
    [delivery] = _deliveries(engines)
    assert delivery.status == "retrying" and "public addresses only" in delivery.last_error
    assert delivery.last_status_code is None


def test_a_liaisons_agency_gets_its_region_only_and_never_amber_strict(
    client, admin_world, make_user, receiver, run_jobs, engines
):
    from models import Membership, Role
    from tests.admin.conftest import enrol, sign_in_with_code

    world = admin_world.world
    liaison = make_user(association=world.association, role=Role.POLICE_LIAISON)
    with Session(engines.owner) as session, session.begin():
        session.execute(sa.update(Membership).where(Membership.user_id == liaison.id).values(region_id=world.region.id))
    sign_in_with_code(client, engines, liaison, enrol(engines, liaison))
    url = "/liaison/webhooks/"
    refused = client.post(
        url,
        data={
            "url": receiver.url,
            "events": ["bulletin.published"],
            "max_tlp": "AMBER+STRICT",
            "csrf_token": token_of(client, url),
        },
    )
    assert refused.status_code == 400
    made = client.post(
        url,
        data={
            "url": receiver.url,
            "events": ["bulletin.published"],
            "max_tlp": "AMBER",
            "csrf_token": token_of(client, url),
        },
    )
    assert made.status_code == 200 and "shown only once" in made.get_data(as_text=True)
    # Another region's bulletin and an AMBER+STRICT one of the liaison's region are not sent; the AMBER one is.
    mine = _pending_bulletin(engines, world, tlp="AMBER")
    strict = _pending_bulletin(engines, world, tlp="AMBER+STRICT")
    from tests.fixtures.factories import World

    elsewhere = _pending_bulletin(engines, World(world.association, admin_world.other_region), tlp="GREEN")
    with Session(engines.owner, expire_on_commit=False) as session, session.begin():
        association = session.get(Association, world.association.id)
        for bulletin in (mine, strict, elsewhere):
            moderation.approve(session, association, session.get(Bulletin, bulletin.id), actor=Actor.system("test"))
    run_jobs()
    import json

    assert [json.loads(r["body"])["data"]["bulletin"]["id"] for r in receiver.received] == [mine.id]
    # The admin portal does not list the agency's webhook, nor can the admin open it.
    with Session(engines.owner) as session:
        agency = WebhookSubscription.liaison_membership_id.isnot(None)
        sub_id = session.scalar(sa.select(WebhookSubscription.id).where(agency))
    admin_client = client.application.test_client()
    sign_in_with_code(admin_client, engines, admin_world.admin, admin_world.secret)
    assert admin_client.get(f"/a/{world.association.slug}/webhooks/{sub_id}").status_code == 404
