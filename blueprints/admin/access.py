"""Who may use an association's admin portal: its administrators, chosen from their memberships."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import abort, g
from flask_login import current_user

from blueprints.auth.mfa import enrolment_redirect
from database.request_scope import db
from extensions import login_manager
from models import Association, Membership, Role


def association_admin_view(view: Callable) -> Callable:
    """Decorator: `association_slug` from the URL, accepted only with an admin membership of it (else 404) and
    two-step sign-in enrolled (else a redirect to enrolment)."""

    @functools.wraps(view)
    def wrapper(*args: Any, association_slug: str, **kwargs: Any):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        association = db().scalar(
            sa.select(Association)
            .join(Membership, Membership.association_id == Association.id)
            .where(
                Association.slug == association_slug,
                Membership.user_id == current_user.id,
                Membership.role == Role.ASSOCIATION_ADMIN.value,
                Membership.store_id.is_(None),
            )
        )
        if association is None:
            abort(404)
        # Admins must use two-step sign-in: an admin who has not enrolled is sent to do it first.
        not_enrolled = enrolment_redirect()
        if not_enrolled is not None:
            return not_enrolled
        g.association = association
        return view(*args, association=association, **kwargs)

    wrapper.loupe_access = {"kind": "association", "roles": [Role.ASSOCIATION_ADMIN.value]}
    return wrapper
