"""After confirming a public sign-up (issue 20 part 1: "confirms its email, chooses a plan, and lands in its admin
portal"), when Loupe bills associations, the new admin's first opening of the portal is the "choose your plan"
step (once; "choose later" leads on to the portal and its checklist)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from models import User
from tests.admin.conftest import enrol
from tests.associations.test_signup import _approval, _sign_up
from tests.billing import test_platform
from tests.fixtures.factories import unique
from tests.fixtures.web import csrf_token

# The platform's Stripe keys (against the local Stripe double) and one offered plan.
platform = test_platform.platform


def test_with_platform_billing_the_first_admin_chooses_a_plan_before_the_portal(app, engines, smtp, platform):
    _approval(engines, False)
    slug, email = unique("plan"), f"{unique('nora')}@example.org"
    client = app.test_client()
    link = _sign_up(client, smtp, slug, email)
    page = client.get(link)
    response = client.post(link, data={"csrf_token": csrf_token(page.get_data(as_text=True))})
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/two-step")
    with Session(engines.owner) as session:
        user = session.scalars(sa.select(User).where(User.email == email)).one()
    enrol(engines, user)
    # After the detour through enrolment, the portal's first opening is the plan step...
    first = client.get(f"/a/{slug}/")
    assert first.status_code == 302 and first.headers["Location"].endswith(f"/a/{slug}/loupe-plan/?welcome=1")
    step = client.get(first.headers["Location"]).get_data(as_text=True)
    assert "One more step: choose your plan" in step and platform.plan.name in step and "Subscribe" in step
    assert f'href="/a/{slug}/"' in step  # choose later
    # ...once: then the portal with its checklist.
    home = client.get(f"/a/{slug}/")
    assert home.status_code == 200 and "Getting started" in home.get_data(as_text=True)
