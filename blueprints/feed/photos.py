"""Photos shared with a bulletin, in the regional feed: listed under the bulletin, served through an access check.

A photo is served only to members of a store whose association and region are the bulletin's, and only while the
bulletin is published and unexpired (the same rule as the feed itself); anything else is a 404, so a member of
another region cannot learn that a photo exists. The bytes are a re-encoding made when the store shared them.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Response, abort
from sqlalchemy.orm import Session, undefer

from blueprints.feed.views import bp
from blueprints.guards import store_view
from bulletins import feed as services
from database.request_scope import db
from errors import NotFound
from models import Store
from models.base import utcnow
from models.bulletin_photos import BulletinPhoto
from models.bulletins import Bulletin

PHOTO_NAME = re.compile(r"[0-9a-f]{32}\.(jpg|png)")


def photos_by_bulletin(session: Session, bulletin_ids) -> dict[int, list[BulletinPhoto]]:
    """The shared photos (without their bytes) of these bulletins, in one query."""
    ids = list(bulletin_ids)
    found: dict[int, list[BulletinPhoto]] = {}
    if not ids:
        return found
    rows = session.scalars(
        sa.select(BulletinPhoto).where(BulletinPhoto.bulletin_id.in_(ids)).order_by(BulletinPhoto.id)
    )
    for photo in rows:
        found.setdefault(photo.bulletin_id, []).append(photo)
    return found


@bp.app_context_processor
def _photo_helpers():
    return {"feed_photos": lambda items: photos_by_bulletin(db(), [item.bulletin.id for item in items])}


def get_visible_photo(session: Session, store: Store, stored_name: str) -> BulletinPhoto:
    visible = services._visible(store, utcnow()).with_only_columns(Bulletin.id)
    photo = session.scalar(
        sa.select(BulletinPhoto)
        .where(BulletinPhoto.stored_name == stored_name, BulletinPhoto.bulletin_id.in_(visible.scalar_subquery()))
        .options(undefer(BulletinPhoto.data))
    )
    if photo is None:
        raise NotFound("No such photo in your region's feed.")
    return photo


@bp.route("/photos/<stored_name>")
@store_view()
def photo(store, membership, stored_name: str):
    """A bulletin photo's bytes, never sniffed or rendered as anything but an image, never cached."""
    if not PHOTO_NAME.fullmatch(stored_name):
        abort(404)
    found = get_visible_photo(db(), store, stored_name)
    response = Response(found.data, content_type=found.content_type)
    response.headers["Content-Disposition"] = f"inline; filename={found.stored_name}"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response
