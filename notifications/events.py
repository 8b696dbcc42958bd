"""The events people are told about: what each is called, where its notification lives and its default choices.

`home` says where a notification of the event is kept: "store" in the schema of the store it is about (patrols,
logbook reviews, shares and the bulletins a store shared: store data, see `models.store.notifications`), "shared"
in the shared schema (about a person or a region, never about which store did what). `who` is the audience that
may choose it on the settings page.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Event:
    key: str
    label: str
    home: str  # "store" | "shared"
    who: str  # "store" (owners and managers) | "owner" | "liaison" | "any"
    email: bool = True  # the default when a person has not chosen
    # The email is another setting's (urgent alerts: /account/alerts/): the inbox row only.
    email_elsewhere: bool = False


_ALL = (
    Event("patrol.acknowledged", "An officer acknowledged a patrol request", "store", "store"),
    Event("patrol.declined", "An officer declined a patrol request", "store", "store"),
    Event("patrol.logged", "An officer logged a patrol", "store", "store"),
    Event("patrol.expiring", "A patrol request nobody answered is about to end", "store", "store"),
    Event("review.opened", "A police liaison opened a logbook review", "store", "store", email=False),
    Event("review.reviewed", "A police liaison marked a logbook review reviewed", "store", "store"),
    Event("review.note", "A police liaison wrote a note on a logbook review", "store", "store"),
    Event("share.approved", "Your store's share was approved", "store", "store"),
    Event("share.edited", "A moderator edited your store's share", "store", "store"),
    Event("share.rejected", "Your store's share was rejected", "store", "store"),
    Event("share.merged", "Your store's share was merged with a similar one", "store", "store"),
    Event("share.retired", "Your store's bulletin was retired", "store", "store", email=False),
    Event("bulletin.sighted", "A member saw what your store shared", "store", "store"),
    Event("bulletin.helped", "A member found a bulletin your store shared helpful", "store", "store", email=False),
    Event("pattern.includes", "A casing pattern includes your store's incident", "store", "store"),
    Event("alert.urgent", "An urgent alert for your region", "shared", "any", email=False, email_elsewhere=True),
    Event("liaison.sighting", "A member sighted a flagged vehicle or person in your region", "shared", "liaison"),
    Event("invitation.accepted", "Someone accepted your invitation", "shared", "any"),
    Event("dues.trouble", "A dues payment failed", "shared", "owner", email=False, email_elsewhere=True),
)

EVENTS: dict[str, Event] = {event.key: event for event in _ALL}


def get(key: str) -> Event:
    """The event called `key` (KeyError for an unknown one: a programming error)."""
    return EVENTS[key]
