"""The store profile: read, save (validated, audited by field name only) and the parts other features use — the
address as the police need it (with an OpenStreetMap link) and as the anonymizer scrubs it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote_plus

from email_validator import EmailNotValidError, validate_email
from sqlalchemy.orm import Session

import audit
from audit import Actor
from errors import DomainError
from i18n import _
from models import Store
from models.store.profile import StoreProfile

PROFILE_FIELDS = (
    "trade_names",
    "street_address",
    "city",
    "postcode",
    "phone",
    "website",
    "shop_email",
    "opening_hours",
)
LIMITS = {
    "trade_names": 2000,
    "street_address": 300,
    "city": 120,
    "postcode": 20,
    "phone": 50,
    "website": 300,
    "shop_email": 254,
    "opening_hours": 2000,
}
MAX_TRADE_NAMES = 10
_PHONE = re.compile(r"^\+?[\d\s().\-/]{5,}$")
_HOST = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z][a-z0-9-]*[a-z0-9]$")
# "1428 Elm Street", "12B Harbour Row", "1428-1430 Elm St": the house number first.
_NUMBER_FIRST = re.compile(r"^\s*(\d{1,6}[A-Za-z]?(?:\s*[-–]\s*\d{1,6}[A-Za-z]?)?)[\s,]+(.+)$")


class ProfileError(DomainError):
    """A profile value was refused: the message says which and why."""


def get_profile(session: Session) -> StoreProfile:
    """The store's profile (an empty, unsaved one when it was never filled in)."""
    return session.get(StoreProfile, 1) or StoreProfile(id=1, **{name: "" for name in PROFILE_FIELDS})


def _website(value: str) -> str:
    """`bellamys.example` or `https://www.bellamys.example/shop` → an https:// (or http://) address; refused
    otherwise."""
    if not value:
        return ""
    url = value if re.match(r"^https?://", value, re.I) else f"https://{value}"
    host = re.sub(r"^https?://", "", url, flags=re.I).split("/", 1)[0].lower()
    if not _HOST.match(host):
        raise ProfileError(_("Enter the website as an address such as www.example.com."))
    return url


def clean(values: dict[str, str]) -> dict[str, str]:
    """Trimmed, length-checked and validated profile values (ProfileError says what is wrong)."""
    out = {}
    for name in PROFILE_FIELDS:
        value = str(values.get(name) or "").strip()
        if len(value) > LIMITS[name]:
            label = name.replace("_", " ").capitalize()
            raise ProfileError(
                _("%(field)s is too long (at most %(limit)s characters).", field=label, limit=LIMITS[name])
            )
        out[name] = value
    names = [line.strip() for line in out["trade_names"].splitlines() if line.strip()]
    if len(names) > MAX_TRADE_NAMES or any(len(n) > 200 for n in names):
        raise ProfileError(
            _("List at most %(count)s trade names, one per line, each under 200 characters.", count=MAX_TRADE_NAMES)
        )
    out["trade_names"] = "\n".join(names)
    if out["phone"] and not _PHONE.match(out["phone"]):
        raise ProfileError(_("Enter the shop's phone number with digits, spaces and + ( ) - only."))
    if out["shop_email"]:
        try:
            validate_email(out["shop_email"], check_deliverability=False)
        except EmailNotValidError as exc:
            raise ProfileError(_("Enter the shop's email address as name@example.com.")) from exc
    out["website"] = _website(out["website"])
    return out


def save_profile(session: Session, values: dict[str, str], *, store: Store, actor: Actor) -> StoreProfile:
    """Validate and store the profile; audited with the names of the fields that changed (never their values:
    the audit log is shared, the store's address is not)."""
    cleaned = clean(values)
    profile = session.get(StoreProfile, 1)
    if profile is None:
        profile = StoreProfile(id=1)
        session.add(profile)
        changed = [name for name in PROFILE_FIELDS if cleaned[name]]
    else:
        changed = [name for name in PROFILE_FIELDS if getattr(profile, name) != cleaned[name]]
    for name, value in cleaned.items():
        setattr(profile, name, value)
    session.flush()
    audit.record(
        session,
        "store.profile_updated",
        actor=actor,
        association_id=store.association_id,
        store_id=store.id,
        target="profile",
        details={"fields": changed},
    )
    return profile


@dataclass(frozen=True)
class AddressParts:
    """The street address split for the scrubber: "1428 Elm Street, Suite 4" → number "1428", street "Elm
    Street", the rest ["Suite 4"]."""

    number: str
    street: str
    rest: tuple[str, ...]


def address_parts(street_address: str) -> AddressParts:
    """Split a street address as written on the door (see `AddressParts`)."""
    first, *rest = [part.strip() for part in street_address.split(",") if part.strip()] or [""]
    match = _NUMBER_FIRST.match(first)
    number, street = (match.group(1), match.group(2).strip()) if match else ("", first)
    return AddressParts(number, street, tuple(rest))


def trade_names(profile: StoreProfile) -> list[str]:
    return [line for line in profile.trade_names.splitlines() if line.strip()]


def one_line_address(profile: StoreProfile) -> str:
    """ "1428 Elm Street, Suite 4, Springfield SP1 2AB" (empty parts left out)."""
    town = " ".join(part for part in (profile.city, profile.postcode) if part)
    return ", ".join(part for part in (profile.street_address, town) if part)


def map_url(profile: StoreProfile) -> str:
    """An OpenStreetMap search link for the address (a plain link: no tiles, no scripts), or "" without one."""
    address = one_line_address(profile)
    return f"https://www.openstreetmap.org/search?query={quote_plus(address)}" if profile.street_address else ""
