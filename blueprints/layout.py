"""What every page's layout needs: the navigation's stores and associations, the current section and the store whose
menu shows (`blueprints.navigation`), the sign-out form, role checks."""

from __future__ import annotations

from flask import Flask, g, has_request_context
from flask_login import current_user

from blueprints import navigation
from blueprints.auth.forms import LogoutForm
from logbook.red_flags import labels as red_flag_labels
from models.accounts import is_manager, is_owner


def init_app(app: Flask) -> None:
    # Role checks in templates go through the role groups' home (models.accounts), never role literals.
    app.jinja_env.globals.update(
        is_manager=is_manager,
        is_owner=is_owner,
        nav_section=navigation.current_section,
        # A link to a page another part may not have yet (the account menu's language page) shows once it exists.
        has_endpoint=lambda endpoint: endpoint in app.view_functions,
    )
    app.after_request(navigation.remember_store)
    # Red-flag codes (incidents, bulletins, trends) in the reader's words: one home, `logbook.red_flags`.
    app.jinja_env.globals.update(red_flag_labels=red_flag_labels)

    @app.context_processor
    def layout_context():
        # Emails rendered by the CLI or jobs have no request and no signed-in person.
        if not has_request_context() or current_user is None or not current_user.is_authenticated:
            return {"nav_stores": [], "nav_associations": [], "logout_form": None, "menu": None}
        return {
            "menu": navigation.menu_store(current_user.memberships),
            "nav_stores": [store for _m, store in current_user.stores],
            "nav_associations": _admin_associations(),
            "current_store": g.get("store"),
            "current_association": g.get("association"),
            # Rendering only: never bound to the request's body. Reading it here would re-raise an over-size
            # body's 413 while its own error page renders, turning it into a 500 (issue #16 item 4).
            "logout_form": LogoutForm(formdata=None),
            "unread_notifications": _unread(),
        }


def _unread() -> int:
    """The header's count: one query (the bound store's notifications too inside a store), unless the view read it
    with its own queries (the store dashboard)."""
    if "unread_notifications" in g:
        return g.unread_notifications
    from sqlalchemy.exc import SQLAlchemyError

    from database.request_scope import db
    from notifications.inbox import unread_count

    try:
        return unread_count(db(), current_user.id, in_store=g.get("store") is not None)
    except SQLAlchemyError:
        # The error page of a request whose transaction failed must still render (it rolls back anyway).
        return 0


def _admin_associations():
    import sqlalchemy as sa

    from database.request_scope import db
    from models import Association

    ids = current_user.admin_association_ids()
    if not ids:
        return []
    return db().scalars(sa.select(Association).where(Association.id.in_(ids)).order_by(Association.name)).all()
