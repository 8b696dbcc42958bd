"""Who may use the liaison pages: signed-in people with a police liaison membership, enrolled in two-step sign-in.

The enrolment check comes after a review's own check (see `require_two_step`), so that a review that is not the
person's answers 404 whatever their enrolment; nothing of a store is read before both checks passed.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import abort
from flask_login import current_user

from blueprints.auth.mfa import enrolment_redirect
from extensions import login_manager
from models import Role


def liaison_view(view: Callable) -> Callable:
    """Decorator: sign-in required, then a liaison membership (403 without). Grants are checked by each view, which
    then calls `require_two_step` before reading anything of a store."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.liaison_memberships():
            abort(403, "These pages are for police liaisons.")
        return view(*args, **kwargs)

    wrapper.loupe_access = {"kind": "liaison", "roles": [Role.POLICE_LIAISON.value]}
    return wrapper


def require_two_step() -> None:
    """Send a liaison who has not enrolled in two-step sign-in to enrolment (liaisons must use it)."""
    response = enrolment_redirect()
    if response is not None:
        abort(response)
