"""Store slugs (from user text, validated) and schema names (never from user text)."""

from __future__ import annotations

import re
import unicodedata

from slugify import slugify

from i18n import _
from security.readable_text import has_unreadable_characters
from tenants.errors import InvalidStoreName

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$")
SCHEMA_RE = re.compile(r"^store_[1-9][0-9]{0,18}$")
POOL_SCHEMA_RE = re.compile(r"^pool_[1-9][0-9]{0,18}$")
MAX_NAME_LENGTH = 200
# Slugs that would confuse people or routes, or look like PostgreSQL's own schemas.
RESERVED_SLUGS = frozenset(
    {
        "public",
        "admin",
        "api",
        "static",
        "login",
        "logout",
        "new",
        "s",
        "store",
        "stores",
        "loupe",
        "loupe-empty",
        "information-schema",
        "pg-catalog",
        "pg-toast",
        "system",
        "operator",
        "settings",
        "www",
    }
)


def schema_name_for(store_id: int) -> str:
    """The immutable schema name of a store: generated from its numeric id, never from its name or slug."""
    if not isinstance(store_id, int) or isinstance(store_id, bool) or store_id < 1:
        raise ValueError("store id must be a positive integer")
    return f"store_{store_id}"


def is_store_schema(name: str) -> bool:
    """True when `name` has the shape of a generated store schema name."""
    return bool(SCHEMA_RE.fullmatch(name))


def pool_schema_name_for(pool_id: int) -> str:
    """The name of a pre-built, unassigned schema of the warm pool: from its pool row id, like a store's."""
    if not isinstance(pool_id, int) or isinstance(pool_id, bool) or pool_id < 1:
        raise ValueError("pool id must be a positive integer")
    return f"pool_{pool_id}"


def is_pool_schema(name: str) -> bool:
    """True when `name` has the shape of a warm-pool schema name (never a store's)."""
    return bool(POOL_SCHEMA_RE.fullmatch(name))


def clean_store_name(name: str) -> str:
    """Normalise a display name (NFC, collapsed whitespace) and reject names no one could read or that are too long."""
    if not isinstance(name, str):
        raise InvalidStoreName(_("The store name must be text."))
    name = unicodedata.normalize("NFC", name)
    if has_unreadable_characters(name):
        raise InvalidStoreName(_("The store name contains control or invisible characters."))
    name = " ".join(name.split())
    if not name:
        raise InvalidStoreName(_("Enter the store's name."))
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidStoreName(
            _(
                "The store name is too long (%(length)s characters; at most %(limit)s).",
                length=len(name),
                limit=MAX_NAME_LENGTH,
            )
        )
    return name


def validate_slug(slug: str) -> str:
    """Accept an explicitly chosen slug only in its canonical form: lower-case ASCII letters, digits and hyphens."""
    if not isinstance(slug, str) or not SLUG_RE.fullmatch(slug):
        raise InvalidStoreName(
            _(
                "A store address may use only lower-case letters a-z, digits and single hyphens, "
                "1 to 50 characters, starting and ending with a letter or digit."
            )
        )
    if "--" in slug:
        raise InvalidStoreName(_("A store address cannot contain two hyphens in a row."))
    if slug in RESERVED_SLUGS or slug.startswith("pg-"):
        raise slug_unavailable(slug)
    return slug


def slug_unavailable(slug: str) -> InvalidStoreName:
    """The one refusal for an address that cannot be had, whatever the reason: reserved, or held by any store of
    any association. Store addresses are unique across associations (the URL is /s/<slug>/), so saying "taken"
    (or which store holds it) would tell an admin that another association has a store there; this answer is the
    same for a reserved word, for their own store, and for another association's."""
    return InvalidStoreName(f"The store address {slug!r} is not available; choose another.")


def slug_from_name(name: str) -> str:
    """Derive a slug from a display name: transliterated to ASCII (look-alikes collapse), at most 50 characters."""
    slug = slugify(name, max_length=50, word_boundary=False, separator="-")
    slug = slug.strip("-")
    if not slug:
        raise InvalidStoreName(_("The store name needs at least one letter or digit to make its address."))
    if slug in RESERVED_SLUGS or slug.startswith("pg-"):
        slug = f"store-{slug}"[:50].strip("-")
    return validate_slug(slug)


def free_slug(base: str, taken: set[str]) -> str:
    """`base`, or `base-2`, `base-3`… (kept within 50 characters): the first one not in `taken`."""
    if base not in taken:
        return base
    n = 2
    while True:
        suffix = f"-{n}"
        candidate = base[: 50 - len(suffix)].rstrip("-") + suffix
        if candidate not in taken:
            return candidate
        n += 1
