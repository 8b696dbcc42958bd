"""The corpus test through the whole path: a store shares incidents that name it in many spellings; neither the
shared table row, nor the moderation page, nor another member's feed contains any of the store's identifying
strings, while suspect and vehicle details survive. The source store is never revealed, not even in the audit log."""

from __future__ import annotations

import json

import sqlalchemy as sa
from sqlalchemy.orm import Session

from alerts.urgent import save_preference
from models import AuditEntry
from models.bulletins import Bulletin
from tests.anonymize.corpus import INCIDENTS
from tests.anonymize.test_corpus import leaks, normalise
from tests.bulletins.conftest import (
    CASE_NUMBER,
    FORBIDDEN,
    PHONES,
    SOURCE_NAME,
    add_incident,
    admin_client,
    bulletins,
    page_text,
    share,
    signed_in,
)
from tests.fixtures.web import post_form

QUAYSIDE_INCIDENTS = [incident for incident in INCIDENTS if incident.key.startswith("Q")]


def _row_text(bulletin: Bulletin) -> str:
    values = {column.name: getattr(bulletin, column.key) for column in Bulletin.__table__.columns}
    return json.dumps(values, default=str, ensure_ascii=False)


def test_shared_bulletins_name_nothing_of_their_store_anywhere(app, engines, sharing_world, in_store, smtp):
    world = sharing_world
    assert len(QUAYSIDE_INCIDENTS) >= 8
    owner = signed_in(app, world.owner)
    ids = {}
    for incident in QUAYSIDE_INCIDENTS:
        incident_id = add_incident(in_store, world.source, incident.facts, report_number=CASE_NUMBER)
        ids[incident.key] = incident_id
        preview = owner.get(world.share_url(incident_id))
        assert preview.status_code == 200 and 'class="scrubbed"' in preview.get_data(as_text=True)
        response = share(owner, world, incident_id)
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]

    rows = bulletins(engines, world.home.association.id)
    assert len(rows) == len(QUAYSIDE_INCIDENTS) and {b.status for b in rows} == {"pending"}
    for row in rows:
        assert leaks(_row_text(row), FORBIDDEN, PHONES) == [], row.title

    admin = admin_client(app, engines, world)
    moderation = admin.get(f"/a/{world.home.association.slug}/moderation")
    assert moderation.status_code == 200
    text = page_text(moderation)
    assert leaks(text, FORBIDDEN, PHONES) == []
    assert world.source.slug not in moderation.get_data(as_text=True)

    for row in rows:
        approved = post_form(
            admin,
            f"/a/{world.home.association.slug}/moderation/{row.id}/approve",
            {},
            form_url=f"/a/{world.home.association.slug}/moderation",
        )
        assert approved.status_code == 302

    neighbour = signed_in(app, world.neighbour_user)
    feed = neighbour.get(f"/s/{world.neighbour.slug}/feed/")
    assert feed.status_code == 200
    text = page_text(feed)
    assert leaks(text, FORBIDDEN, PHONES) == []
    assert "TLP:AMBER" in text
    spaced = f" {normalise(text)} "
    for incident in QUAYSIDE_INCIDENTS:
        for detail in incident.must_survive:
            assert f" {normalise(detail)} " in spaced, (incident.key, detail)

    dashboard = neighbour.get(f"/s/{world.neighbour.slug}/")
    assert dashboard.status_code == 200 and leaks(page_text(dashboard), FORBIDDEN, PHONES) == []
    assert "TLP:AMBER" in page_text(dashboard)

    # Urgent alert emails carry the same anonymized bulletin: nothing of the store in any part or header.
    with Session(engines.owner) as session, session.begin():
        save_preference(session, world.neighbour_user.id, urgent_alerts=True, quiet_start=None, quiet_end=None)
    for row in rows:
        alerted = post_form(
            admin,
            f"/a/{world.home.association.slug}/moderation/{row.id}/alert",
            {},
            form_url=f"/a/{world.home.association.slug}/moderation",
        )
        assert alerted.status_code == 302
    emails = smtp.to(world.neighbour_user.email)
    assert len(emails) == len(rows)
    for message in emails:
        parts = [message["Subject"]] + [
            message.get_body(preferencelist=(kind,)).get_content() for kind in ("plain", "html")
        ]
        assert leaks(" ".join(parts), FORBIDDEN, PHONES) == [], message["Subject"]

    # The TLP:CLEAR trend export (counts only) names nothing either.
    for fmt in ("csv", "json"):
        export = admin.get(f"/a/{world.home.association.slug}/trends/export.{fmt}")
        assert export.status_code == 200
        assert leaks(export.get_data(as_text=True), FORBIDDEN, PHONES) == []

    # The audit log holds the moderators' decisions, never the source store.
    with Session(engines.owner) as session:
        entries = session.scalars(
            sa.select(AuditEntry).where(AuditEntry.association_id == world.home.association.id)
        ).all()
    bulletin_entries = [e for e in entries if (e.target or "").startswith("bulletin:")]
    assert len(bulletin_entries) == 2 * len(rows)  # each approved, then alerted
    assert all(e.store_id is None for e in bulletin_entries)
    assert not [e for e in entries if e.store_id == world.source.id and "bulletin" in e.action]
    assert SOURCE_NAME not in json.dumps([e.details for e in bulletin_entries], default=str)


def test_the_shared_table_has_no_place_for_a_store():
    columns = {column.name for column in Bulletin.__table__.columns}
    assert not {name for name in columns if "store" in name or "author" in name or "user" in name} - {
        "decided_by_user_id"
    }
    assert not [fk for fk in Bulletin.__table__.foreign_keys if fk.column.table.name == "stores"]
