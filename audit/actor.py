"""Who did something, as the audit log (and the store's access log) records it.

One type for every caller: a web request builds it once (`blueprints.web.current_actor`), a job or command names
itself (`Actor.system`), and domain functions take it as `actor: Actor` and write their own audit entry with it.
The audit row keeps `user_id`, `email` and `ip`; `kind` and `name` are for the code and the store's access log.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Protocol


class ActorKind(StrEnum):
    """In which capacity the actor acted (what let them in, not every role they hold)."""

    MEMBER = "member"  # a store's owner, manager or staff, in the store's pages
    ADMIN = "admin"  # an association admin, in the admin portal
    LIAISON = "liaison"  # a police liaison with an account
    OPERATOR = "operator"  # the platform's operator
    USER = "user"  # someone signed in (or signing in), on their own account's pages
    OFFICER_LINK = "officer_link"  # a police officer or contact holding a signed link, no account
    ANONYMOUS = "anonymous"  # nobody known yet: a sign-in attempt, a refused link
    SYSTEM = "system"  # a job, a command, a webhook: `email` holds its name ("cli", "stripe", ...)


class _UserLike(Protocol):
    id: int
    email: str
    name: str


@dataclass(frozen=True)
class Actor:
    """Who acts: enough to write the audit row and to name them in a store's access log."""

    kind: ActorKind
    user_id: int | None = None
    email: str | None = None
    name: str | None = None
    ip: str | None = None

    @classmethod
    def for_user(cls, user: _UserLike, *, ip: str | None = None, kind: ActorKind = ActorKind.USER) -> Actor:
        """A person with an account."""
        return cls(kind=kind, user_id=user.id, email=user.email, name=user.name, ip=ip)

    @classmethod
    def anonymous(cls, *, email: str | None = None, ip: str | None = None) -> Actor:
        """Nobody identified: an unknown or failed sign-in (with the address typed), a refused link."""
        return cls(kind=ActorKind.ANONYMOUS, email=email, ip=ip)

    @classmethod
    def system(cls, name: str) -> Actor:
        """A job, a command or a webhook, recorded under its name in place of an email."""
        return cls(kind=ActorKind.SYSTEM, email=name, name=name)

    def holding_link(self, *, name: str | None, email: str | None) -> Actor:
        """The same visitor named after whom the signed link they hold was sent to (they have no account here)."""
        return replace(self, kind=ActorKind.OFFICER_LINK, user_id=None, name=name, email=email)

    @property
    def label(self) -> str:
        """How a person reading a log would recognise them."""
        return self.name or self.email or ""
