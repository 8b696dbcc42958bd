"""Photos shared with a bulletin, in the regional feed: listed under the bulletin, served through an access check.

A photo is served only to members of a store whose association and region are the bulletin's, and only while the
bulletin is published and unexpired (the same rule as the feed itself); anything else is a 404, so a member of
another region cannot learn that a photo exists. The bytes are a re-encoding made when the store shared them.
"""

from __future__ import annotations

import re

from flask import Response, abort

from blueprints.feed.views import bp
from blueprints.guards import store_view
from bulletins import feed as services
from database.request_scope import db

PHOTO_NAME = re.compile(r"[0-9a-f]{32}\.(jpg|png)")


@bp.app_context_processor
def _photo_helpers():
    return {"feed_photos": lambda items: services.photos_by_bulletin(db(), [item.bulletin.id for item in items])}


@bp.route("/photos/<stored_name>")
@store_view()
def photo(store, membership, stored_name: str):
    """A bulletin photo's bytes, never sniffed or rendered as anything but an image, never cached."""
    if not PHOTO_NAME.fullmatch(stored_name):
        abort(404)
    found = services.get_visible_photo(db(), store, stored_name)
    response = Response(found.data, content_type=found.content_type)
    response.headers["Content-Disposition"] = f"inline; filename={found.stored_name}"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response
