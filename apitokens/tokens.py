"""Making, listing, revoking and checking API tokens.

A token reads `loupe_<prefix>_<secret>`: the prefix (12 hex characters, stored as is) finds the row, the secret
(256 random bits) is stored only as its SHA-256 digest and compared in constant time. A digest without a salt or
a slow hash is enough here: the secret is random, not something a person chose, so there is nothing to guess.
The whole token is shown once, on the page that made it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

import audit
from audit import Actor
from errors import DomainError, NotFound
from i18n import _, _l
from models import ApiToken, Association, Membership, Role, Store, User
from models.base import utcnow

# What a token may be allowed to do; a store token gets store scopes, an association token association scopes.
STORE_SCOPES: dict[str, str] = {
    "bulletins:read": _l("Read the regional feed's bulletins, as a member of the store sees them"),
    "patterns:read": _l("Read casing patterns (heightened-response bulletins) of the store's region"),
    "trends:read": _l("Read the region's weekly trends (small counts withheld, as on the trends page)"),
    "incidents:write": _l("Add logbook entries and share them with the region (anonymized, as the share page does)"),
}
ASSOCIATION_SCOPES: dict[str, str] = {
    "members:read": _l("List the association's member stores and their status"),
}
# A police liaison's personal token reads what their workspace shows (their regions only); it never writes.
LIAISON_SCOPES: dict[str, str] = {
    "bulletins:read": _l("Read your regions' bulletins, as your liaison pages show them"),
    "patterns:read": _l("Read casing patterns of your regions"),
    "trends:read": _l("Read your regions' weekly trends (small counts withheld, as on the trends page)"),
}
ALL_SCOPES = {**STORE_SCOPES, **ASSOCIATION_SCOPES}
MAX_LIVE_TOKENS = 20
NAME_LENGTH = 100
# Writing "last used" on every call would turn every read into a write; once a minute says enough.
LAST_USED_PRECISION = timedelta(minutes=1)
_TOKEN = re.compile(r"loupe_([0-9a-f]{12})_([A-Za-z0-9_-]{43})")


class TokenError(DomainError):
    """A token that cannot be made or revoked as asked."""


@dataclass(frozen=True)
class NewToken:
    """A token just made: `token` is the only time the secret exists outside the caller's hands."""

    row: ApiToken
    token: str


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


def parse(raw: str | None) -> tuple[str, str] | None:
    """(prefix, secret) of a well-formed token, else None."""
    match = _TOKEN.fullmatch((raw or "").strip())
    return (match.group(1), match.group(2)) if match else None


def prefix_of(authorization: str | None) -> str | None:
    """The prefix of the bearer token in an Authorization header (unchecked: for counting requests only)."""
    found = parse(_bearer(authorization))
    return found[0] if found else None


def _bearer(authorization: str | None) -> str | None:
    if not authorization or len(authorization) > 200:
        return None
    scheme, _, value = authorization.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else None


def authenticate(session: Session, authorization: str | None, *, now: datetime | None = None) -> ApiToken | None:
    """The live token an `Authorization: Bearer …` header carries, or None; notes when it was last used."""
    found = parse(_bearer(authorization))
    if found is None:
        return None
    prefix, secret = found
    token = session.scalar(sa.select(ApiToken).where(ApiToken.prefix == prefix))
    # Compared even when no row matched, so that an unknown prefix costs what a wrong secret does.
    expected = token.secret_sha256 if token is not None else "0" * 64
    if not hmac.compare_digest(expected, digest(secret)) or token is None or token.revoked_at is not None:
        return None
    now = now or utcnow()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        token.last_used_at = now
        session.flush()
    return token


def _clean_request(name: str, scopes: list[str], allowed: dict[str, str]) -> tuple[str, list[str]]:
    name = " ".join((name or "").split())
    if not name or len(name) > NAME_LENGTH:
        raise TokenError(_("Give the token a name of 1 to %(max)d characters (what will use it).", max=NAME_LENGTH))
    chosen = [scope for scope in allowed if scope in set(scopes or ())]
    if not chosen or len(chosen) != len(set(scopes)):
        raise TokenError(_("Choose at least one of the permissions listed."))
    return name, chosen


def _live(session: Session, *conditions) -> int:
    return session.scalar(
        sa.select(sa.func.count()).select_from(ApiToken).where(ApiToken.revoked_at.is_(None), *conditions)
    )


def _make(
    session: Session,
    *,
    name: str,
    scopes: list[str],
    association_id: int,
    store_id: int | None,
    actor: Actor,
    liaison: Membership | None = None,
):
    prefix, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    row = ApiToken(
        prefix=prefix,
        secret_sha256=digest(secret),
        name=name,
        association_id=association_id,
        store_id=store_id,
        liaison_membership_id=liaison.id if liaison is not None else None,
        scopes=scopes,
        created_by_user_id=liaison.user_id if liaison is not None else actor.user_id,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        "api_token.created",
        actor=actor,
        association_id=association_id,
        store_id=store_id,
        target=f"api_token:{row.id}",
        details={"name": name, "prefix": prefix, "scopes": ",".join(scopes), "kind": row.kind},
    )
    return NewToken(row, f"loupe_{prefix}_{secret}")


def create_store_token(session: Session, store: Store, *, name: str, scopes: list[str], actor: Actor) -> NewToken:
    """A token for `store` (its owner or a manager asks for it in the store's settings)."""
    name, chosen = _clean_request(name, scopes, STORE_SCOPES)
    if _live(session, ApiToken.store_id == store.id) >= MAX_LIVE_TOKENS:
        raise TokenError(
            _("A store can have %(max)d tokens at most: revoke one you no longer use.", max=MAX_LIVE_TOKENS)
        )
    return _make(session, name=name, scopes=chosen, association_id=store.association_id, store_id=store.id, actor=actor)


def create_association_token(
    session: Session, association: Association, *, name: str, scopes: list[str], actor: Actor
) -> NewToken:
    """A token for `association` (an admin asks for it in the admin portal)."""
    name, chosen = _clean_request(name, scopes, ASSOCIATION_SCOPES)
    conditions = _association_own(association)
    if _live(session, *conditions) >= MAX_LIVE_TOKENS:
        raise TokenError(
            _("An association can have %(max)d tokens at most: revoke one you no longer use.", max=MAX_LIVE_TOKENS)
        )
    return _make(session, name=name, scopes=chosen, association_id=association.id, store_id=None, actor=actor)


def store_tokens(session: Session, store: Store) -> list[ApiToken]:
    return list(session.scalars(sa.select(ApiToken).where(ApiToken.store_id == store.id).order_by(ApiToken.id.desc())))


def association_tokens(session: Session, association: Association) -> list[ApiToken]:
    query = sa.select(ApiToken).where(*_association_own(association))
    return list(session.scalars(query.order_by(ApiToken.id.desc())))


def _revoke(session: Session, token: ApiToken | None, *, actor: Actor) -> ApiToken:
    if token is None:
        raise NotFound(_("No such token."))
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.flush()
        audit.record(
            session,
            "api_token.revoked",
            actor=actor,
            association_id=token.association_id,
            store_id=token.store_id,
            target=f"api_token:{token.id}",
            details={"name": token.name, "prefix": token.prefix},
        )
    return token


def revoke_store_token(session: Session, store: Store, token_id: int, *, actor: Actor) -> ApiToken:
    """Revoke one of `store`'s tokens (NotFound for any other token); revoking twice changes nothing."""
    token = session.scalar(sa.select(ApiToken).where(ApiToken.id == token_id, ApiToken.store_id == store.id))
    return _revoke(session, token, actor=actor)


def _association_own(association: Association) -> tuple:
    """The association's own tokens: neither a store's nor a liaison's personal one."""
    return (
        ApiToken.association_id == association.id,
        ApiToken.store_id.is_(None),
        ApiToken.liaison_membership_id.is_(None),
    )


def revoke_association_token(session: Session, association: Association, token_id: int, *, actor: Actor) -> ApiToken:
    """Revoke one of `association`'s own tokens (not its stores'; NotFound for any other token)."""
    token = session.scalar(sa.select(ApiToken).where(ApiToken.id == token_id, *_association_own(association)))
    return _revoke(session, token, actor=actor)


# --- a police liaison's personal tokens -----------------------------------------------------------------------------


def create_liaison_token(
    session: Session, liaison: Membership, *, name: str, scopes: list[str], actor: Actor
) -> NewToken:
    """A personal token of a police liaison (their liaison membership `liaison`), to read what their pages show."""
    if liaison.role != Role.POLICE_LIAISON or liaison.store_id is not None:
        raise TokenError(_("Only a police liaison can make these tokens."))
    name, chosen = _clean_request(name, scopes, LIAISON_SCOPES)
    if _live(session, ApiToken.liaison_membership_id == liaison.id) >= MAX_LIVE_TOKENS:
        raise TokenError(_("You can have %(max)d tokens at most: revoke one you no longer use.", max=MAX_LIVE_TOKENS))
    return _make(
        session,
        name=name,
        scopes=chosen,
        association_id=liaison.association_id,
        store_id=None,
        actor=actor,
        liaison=liaison,
    )


def liaison_tokens(session: Session, liaison: Membership) -> list[ApiToken]:
    query = sa.select(ApiToken).where(ApiToken.liaison_membership_id == liaison.id)
    return list(session.scalars(query.order_by(ApiToken.id.desc())))


def get_liaison_token(session: Session, liaison: Membership, token_id: int) -> ApiToken:
    """One of the liaison's own tokens; NotFound for any other token."""
    token = session.scalar(
        sa.select(ApiToken).where(ApiToken.id == token_id, ApiToken.liaison_membership_id == liaison.id)
    )
    if token is None:
        raise NotFound(_("No such token."))
    return token


def revoke_liaison_token(session: Session, liaison: Membership, token_id: int, *, actor: Actor) -> ApiToken:
    """Revoke one of the liaison's own tokens (NotFound for any other token)."""
    return _revoke(session, get_liaison_token(session, liaison, token_id), actor=actor)


def liaison_of(session: Session, token: ApiToken) -> Membership | None:
    """The live liaison membership a liaison token acts for, or None: the membership ended (the token went with it,
    by the foreign key), it is no longer a police liaison's, or the person was deactivated."""
    if token.liaison_membership_id is None:
        return None
    membership = session.scalar(
        sa.select(Membership)
        .join(User, User.id == Membership.user_id)
        .where(
            Membership.id == token.liaison_membership_id,
            Membership.role == Role.POLICE_LIAISON.value,
            Membership.store_id.is_(None),
            User.is_active.is_(True),
        )
    )
    return membership
