"""A bulletin's card (`templates/feed/_bulletin.html`: TLP, type, what, where, when, people, vehicles) rendered
once per version of the bulletin, not on every feed view.

The card is most of what a feed page renders per bulletin, and a published bulletin rarely changes, so each
worker keeps the last `CARD_CACHE_SIZE` cards keyed by the bulletin's id, `updated_at` and every field the card
shows (so an edit or a merge shows at once, even within the hour `updated_at` is cut to). The card depends on
nothing else: no store, no person, no request. Process-local on purpose: nothing to share between web machines,
nothing to invalidate across them.
"""

from __future__ import annotations

import json
import threading

from cachetools import LRUCache, cached
from flask import current_app
from flask_babel import get_locale
from markupsafe import Markup

from models.bulletins import Bulletin
from models.store.logbook import INCIDENT_TYPES

CARD_CACHE_SIZE = 2048  # a few KB each: a few MB per worker at most


def _key(bulletin: Bulletin) -> tuple:
    # `updated_at` has hour precision (issue #17 item 6), so two edits within an hour share it: what the card
    # shows is part of the key.
    shown = (bulletin.status, bulletin.tlp, bulletin.kind, bulletin.incident_type, bulletin.title, bulletin.narrative)
    place = (bulletin.location_note, bulletin.area_label, bulletin.region_label, bulletin.day, bulletin.part_of_day)
    described = json.dumps([bulletin.people, bulletin.vehicles, bulletin.photos_allowed], sort_keys=True, default=str)
    # The card's words follow the reader's language: one cached card per language.
    return bulletin.id, bulletin.updated_at, bulletin.created_at, shown, place, described, str(get_locale())


@cached(LRUCache(maxsize=CARD_CACHE_SIZE), key=_key, lock=threading.Lock())
def bulletin_card(bulletin: Bulletin) -> Markup:
    """The card's HTML (autoescaped by the template), from the cache when this version was rendered before."""
    template = current_app.jinja_env.get_template("feed/_bulletin.html")
    return Markup(template.render(b=bulletin, incident_types=INCIDENT_TYPES))
