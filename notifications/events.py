"""The events people are told about: what each is called, where its notification lives and its default choices.

`home` says where a notification of the event is kept: "store" in the schema of the store it is about (patrols,
logbook reviews, shares and the bulletins a store shared: store data, see `models.store.notifications`), "shared"
in the shared schema (about a person or a region, never about which store did what). `who` is the audience that
may choose it on the settings page.
"""

from __future__ import annotations

from dataclasses import dataclass

from i18n import _l


@dataclass(frozen=True)
class Event:
    key: str
    label: str  # lazy (`_l`): shown in the reader's language
    home: str  # "store" | "shared"
    who: str  # "store" (owners and managers) | "owner" | "liaison" | "any"
    email: bool = True  # the default when a person has not chosen
    # The email is another setting's (urgent alerts: /account/alerts/): the inbox row only.
    email_elsewhere: bool = False


_ALL = (
    Event("patrol.acknowledged", _l("An officer acknowledged a patrol request"), "store", "store"),
    Event("patrol.declined", _l("An officer declined a patrol request"), "store", "store"),
    Event("patrol.logged", _l("An officer logged a patrol"), "store", "store"),
    Event("patrol.expiring", _l("A patrol request nobody answered is about to end"), "store", "store"),
    Event("review.opened", _l("A police liaison opened a logbook review"), "store", "store", email=False),
    Event("review.reviewed", _l("A police liaison marked a logbook review reviewed"), "store", "store"),
    Event("review.note", _l("A police liaison wrote a note on a logbook review"), "store", "store"),
    Event("share.approved", _l("Your store's share was approved"), "store", "store"),
    Event("share.edited", _l("A moderator edited your store's share"), "store", "store"),
    Event("share.rejected", _l("Your store's share was rejected"), "store", "store"),
    Event("share.merged", _l("Your store's share was merged with a similar one"), "store", "store"),
    Event("share.retired", _l("Your store's bulletin was retired"), "store", "store", email=False),
    Event("bulletin.sighted", _l("A member saw what your store shared"), "store", "store"),
    Event("bulletin.helped", _l("A member found a bulletin your store shared helpful"), "store", "store", email=False),
    Event("pattern.includes", _l("A casing pattern includes your store's incident"), "store", "store"),
    Event("alert.urgent", _l("An urgent alert for your region"), "shared", "any", email=False, email_elsewhere=True),
    Event("liaison.sighting", _l("A member sighted a flagged vehicle or person in your region"), "shared", "liaison"),
    Event("invitation.accepted", _l("Someone accepted your invitation"), "shared", "any"),
    Event("dues.trouble", _l("A dues payment failed"), "shared", "owner", email=False, email_elsewhere=True),
)

EVENTS: dict[str, Event] = {event.key: event for event in _ALL}


def get(key: str) -> Event:
    """The event called `key` (KeyError for an unknown one: a programming error)."""
    return EVENTS[key]
