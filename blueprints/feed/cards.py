"""A bulletin's card (`templates/feed/_bulletin.html`: TLP, type, what, where, when, people, vehicles) rendered
once per version of the bulletin, not on every feed view.

The card is most of what a feed page renders per bulletin, and a published bulletin rarely changes, so each
worker keeps the last `CARD_CACHE_SIZE` cards keyed by the bulletin's id and `updated_at` (every change to the
row moves it, so an edit or a merge shows at once). The card depends on nothing else: no store, no person, no
request. Process-local on purpose: nothing to share between web machines, nothing to invalidate across them.
"""

from __future__ import annotations

import threading

from cachetools import LRUCache, cached
from flask import current_app
from markupsafe import Markup

from models.bulletins import Bulletin
from models.store.logbook import INCIDENT_TYPES

CARD_CACHE_SIZE = 2048  # a few KB each: a few MB per worker at most


def _key(bulletin: Bulletin) -> tuple:
    return bulletin.id, bulletin.updated_at, bulletin.created_at


@cached(LRUCache(maxsize=CARD_CACHE_SIZE), key=_key, lock=threading.Lock())
def bulletin_card(bulletin: Bulletin) -> Markup:
    """The card's HTML (autoescaped by the template), from the cache when this version was rendered before."""
    template = current_app.jinja_env.get_template("feed/_bulletin.html")
    return Markup(template.render(b=bulletin, incident_types=INCIDENT_TYPES))
