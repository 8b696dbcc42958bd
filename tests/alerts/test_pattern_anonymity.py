"""Issue 17 item 5 (ANONYMIZATION.md rule 4, "No linkage"): a casing-pattern bulletin, the liaisons' email and the
moderation page say neither how many member stores (under k) a pattern rests on nor which bulletins share a source.

Before the fix the draft read "... appears in 3 shared bulletins from 2 different member stores ..." and "Matched
bulletins: #44 (...), #45 (...), #46 (...)", and the email repeated the store count."""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import Membership, Role
from models.alerts import BulletinPattern
from models.bulletins import Bulletin
from tests.bulletins.conftest import add_incident, admin_client, page_text, share, signed_in
from tests.bulletins.test_sharing import FACTS
from tests.fixtures.web import post_form

_STORE_COUNT = re.compile(r"\b\d+\s+(?:different\s+)?(?:member\s+)?stores?\b", re.IGNORECASE)


def _leaks(text: str, matched: list[int]) -> list[str]:
    found = [m.group(0) for m in _STORE_COUNT.finditer(text)]
    found += [f"#{i}" for i in matched if re.search(rf"#{i}\b", text)]
    found += [f"bulletin {i}" for i in matched if re.search(rf"\bbulletins? {i}\b", text)]
    return found


def test_pattern_bulletin_email_and_moderation_page_hide_store_count_and_matched_ids(
    run_jobs, app, engines, sharing_world, in_store, make_user, smtp
):
    world = sharing_world
    liaison = make_user(association=world.home.association, role=Role.POLICE_LIAISON)
    with Session(engines.owner) as session, session.begin():
        session.execute(
            sa.update(Membership).where(Membership.user_id == liaison.id).values(region_id=world.home.region.id)
        )
    source = signed_in(app, world.owner)
    assert share(source, world, add_incident(in_store, world.source, FACTS)).status_code == 302
    neighbour = signed_in(app, make_user(store=world.neighbour, role=Role.STORE_OWNER))
    incident_id = add_incident(in_store, world.neighbour, FACTS)
    url = f"/s/{world.neighbour.slug}/logbook/{incident_id}/share/"
    assert post_form(neighbour, url, {"tlp": "AMBER"}).status_code == 302
    run_jobs()

    with Session(engines.owner) as session:
        [pattern] = session.scalars(
            sa.select(BulletinPattern).where(BulletinPattern.association_id == world.home.association.id)
        ).all()
        matched = list(pattern.matched_bulletin_ids)
        draft = session.get(Bulletin, pattern.bulletin_id)
        published_text = "\n".join([draft.title, draft.narrative, draft.location_note])
    assert len(matched) == 2  # the internal signature logic still matches both stores' bulletins
    assert "AB12 CDE" in published_text  # what to look out for is still said, as the witness wrote it
    assert _leaks(published_text, matched) == []
    assert "several member stores" in draft.narrative

    [mail] = smtp.to(liaison.email)
    bodies = [part.get_content() for part in mail.walk() if part.get_content_type() in ("text/plain", "text/html")]
    assert bodies
    for body in bodies:
        assert _leaks(body, matched) == [], body

    admin = admin_client(app, engines, world)
    base = f"/a/{world.home.association.slug}/moderation"
    for page in (base, f"{base}/{draft.id}/edit"):
        response = admin.get(page)
        assert response.status_code == 200
        assert _leaks(page_text(response), matched) == [], page
        assert "AB12 CDE" in page_text(response)
