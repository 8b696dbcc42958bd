"""The signed-in person as Flask-Login sees them: a User plus the server-side session that admitted them."""

from __future__ import annotations

import functools

from flask import current_app
from flask_login import LoginManager

from accounts.accounts import Memberships, load_memberships, load_session
from database.request_scope import db
from models import Membership, Role, Store, User


class CurrentUser:
    """Wraps a User (models never import Flask) with what Flask-Login and the templates ask of it."""

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def __init__(self, user: User, token: str, memberships: Memberships | None = None) -> None:
        self.user = user
        self.token = token
        if memberships is not None:
            self.__dict__["memberships"] = memberships  # read with the session: the cached property is filled

    def get_id(self) -> str:
        # The session token, not the user id: revoking the server-side row ends this login everywhere.
        return self.token

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def email(self) -> str:
        return self.user.email

    @property
    def name(self) -> str:
        return self.user.name

    @property
    def language(self) -> str | None:
        """The person's chosen language code, or None to follow the browser (read by `i18n.select_locale`)."""
        return self.user.language

    @property
    def is_operator(self) -> bool:
        return self.user.is_operator

    @functools.cached_property
    def memberships(self) -> Memberships:
        # One query per request, at first use, in the request's Session (so nothing outlives the request).
        return load_memberships(db(), self.user.id)

    @property
    def stores(self) -> list[tuple[Membership, Store]]:
        return self.memberships.stores

    @property
    def association_memberships(self) -> list[Membership]:
        return self.memberships.associations

    def admin_association_ids(self) -> set[int]:
        return {m.association_id for m in self.association_memberships if m.role == Role.ASSOCIATION_ADMIN}

    def liaison_memberships(self) -> list[Membership]:
        return [m for m in self.association_memberships if m.role == Role.POLICE_LIAISON]


def init_app(manager: LoginManager) -> None:
    """Flask-Login finds the signed-in person through `load_user` (called by the app factory, explicitly)."""
    manager.user_loader(load_user)


def load_user(token: str) -> CurrentUser | None:
    """The person of the server-side session named by the cookie's token, or None when it ended or timed out."""
    cfg = current_app.config
    active = load_session(
        db(),
        token,
        idle_timeout=cfg["SESSION_IDLE_TIMEOUT"],
        absolute_timeout=cfg["SESSION_ABSOLUTE_TIMEOUT"],
        with_memberships=True,
    )
    return CurrentUser(active.user, token, active.memberships) if active else None
