"""The email telling an officer that a store shared a slice of its logbook (TLP:RED: no incident data in it)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from i18n import _l, format_local
from mail.links import external_url
from mail.outbox import queue_email
from mail.render import in_language, recipient_language, render_email
from models import OutboundEmail, PoliceShareIndex, ReviewGrant, Store
from review.grants import MAX_GRANT_DAYS, type_labels
from security.tokens import sign
from workspace.times import store_zone

REVIEW_TOKEN_PURPOSE = "review"


def review_link_token(store: Store, grant: ReviewGrant) -> str:
    """The signed token of a contact's link: which store, which grant, and the grant's current nonce."""
    return sign(REVIEW_TOKEN_PURPOSE, {"s": store.id, "g": grant.id, "n": grant.link_nonce})


def review_link_max_age_seconds() -> int:
    """Signed links outlive no grant (at most 90 days); the grant's own expiry is checked on every use."""
    return (MAX_GRANT_DAYS + 1) * 24 * 3600


def queue_review_email(
    session: Session, store: Store, grant: ReviewGrant, share: PoliceShareIndex | None
) -> OutboundEmail:
    if share is not None:
        link, by_link = external_url("liaison.review", share_id=share.id), False
    else:
        link, by_link = external_url("officer.review", token=review_link_token(store, grant)), True
    zone = store_zone(store)
    language = recipient_language(session, grant.recipient_email)
    with in_language(language):
        expires = format_local(grant.expires_at.astimezone(zone), "%d %b %Y %H:%M")
    email = render_email(
        "review_link",
        _l("TLP:RED — %(store)s shares its incident logbook for your review", store=store.name),
        language=language,
        grant=grant,
        store=store,
        association=store.association,
        types=type_labels(grant.incident_types),
        expires=expires,
        zone_name=zone.key,
        link=link,
        by_link=by_link,
    )
    return queue_email(session, to=grant.recipient_email, email=email, kind="review_link")
