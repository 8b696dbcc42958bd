"""POST /webhooks/stripe/<association_slug>: each association's Stripe account sends its events here; POST
/webhooks/stripe-platform: the platform's own account (associations paying for Loupe).

The only form-less POST in Loupe, so it is CSRF-exempt; instead the raw body must carry a fresh signature made
with that association's webhook secret, dated within 300 s of now (either way), around an event of the shape
billing.webhooks reads. Anything else answers 400 before a single row is written.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify, request

from billing import platform as platform_billing
from billing.stripe_client import stripe_for
from billing.webhooks import InvalidWebhook, handle_event, verify_event
from blueprints.web import access
from database.request_scope import db
from extensions import csrf
from models import Association
from models.base import utcnow

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")
log = logging.getLogger(__name__)


def _refuse(status: int, message: str):
    return jsonify(error={"status": status, "message": message}), status


@bp.route("/stripe/<association_slug>", methods=["POST"])
@access("public")
@csrf.exempt
def stripe_events(association_slug: str):
    # The exact bytes Stripe signed: read before anything parses the body.
    payload = request.get_data(cache=False, as_text=False, parse_form_data=False)
    association_id = db().scalar(sa.select(Association.id).where(Association.slug == association_slug[:63]))
    account = stripe_for(db(), association_id, current_app.config) if association_id is not None else None
    if account is None:
        return _refuse(404, "No Stripe endpoint here.")
    try:
        event = verify_event(payload, request.headers.get("Stripe-Signature"), account.webhook_secret)
    except InvalidWebhook as exc:
        log.warning("stripe webhook for association %s refused: %s", association_id, exc)
        return _refuse(400, "Invalid signature or event.")
    result = handle_event(db(), account, event, now=utcnow())
    return jsonify(received=True, outcome=result.outcome)


@bp.route("/stripe-platform", methods=["POST"])
@access("public")
@csrf.exempt
def platform_stripe_events():
    """Events of the PLATFORM's Stripe account (associations paying for Loupe, `billing.platform`): verified and
    deduplicated as the dues' are, with the platform's webhook secret from config."""
    payload = request.get_data(cache=False, as_text=False, parse_form_data=False)
    platform = platform_billing.platform_stripe(current_app.config)
    if platform is None or not platform.webhook_secret:
        return _refuse(404, "No Stripe endpoint here.")
    try:
        event = verify_event(payload, request.headers.get("Stripe-Signature"), platform.webhook_secret)
    except InvalidWebhook as exc:
        log.warning("platform stripe webhook refused: %s", exc)
        return _refuse(400, "Invalid signature or event.")
    outcome = platform_billing.handle_platform_event(db(), platform, event, now=utcnow())
    return jsonify(received=True, outcome=outcome)
