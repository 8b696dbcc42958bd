"""An urgent alert sent by an English-speaking moderator reaches each member in their own language: rendered once per
language of the audience, not once per person, and never in the sender's language for someone who chose another."""

from __future__ import annotations

from sqlalchemy.orm import Session

from models import User
from tests.alerts.test_alerts import _alert, _opt_in, _published
from tests.bulletins.conftest import admin_client


def test_an_urgent_alert_is_french_for_the_french_speaking_member_only(app, engines, sharing_world, smtp):
    world = sharing_world
    for user in (world.neighbour_user, world.staff):
        _opt_in(engines, user)
    with Session(engines.owner) as session, session.begin():
        session.get(User, world.neighbour_user.id).language = "fr_CA"
    bulletin = _published(engines, world, title="Two men casing jewellers")

    admin = admin_client(app, engines, world)
    assert _alert(admin, world, bulletin).status_code == 302
    got = {m["To"]: m for m in smtp.messages}
    french, english = got[world.neighbour_user.email], got[world.staff.email]
    assert french["Subject"] == "TLP:AMBER Urgent : Two men casing jewellers"
    assert "Alerte urgente de votre association. À traiter selon la marque." in french.get_body(("html",)).get_content()
    assert "Où : North" in french.get_body(("plain",)).get_content()
    assert english["Subject"] == "TLP:AMBER Urgent: Two men casing jewellers"
    assert "Urgent alert from your association." in english.get_body(("html",)).get_content()
