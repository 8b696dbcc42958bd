"""The versioned JSON API (`/api/v1/`, issue 20 part 4) and its OpenAPI document (`/api/v1/openapi.json`),
generated from the code by flask-smorest.

Errors keep the app's one JSON shape (`blueprints.errors`): flask-smorest's own error handler is not installed,
and the document describes our shape. Token calls carry no cookie and no form, so the API is exempt from CSRF
(the guard never reads the session: a browser's cookie alone gets 401); every other route keeps it.
"""

from __future__ import annotations

from flask import Flask
from flask_smorest import Api

from blueprints.api import schemas
from blueprints.api.views import bp
from blueprints.web import access

__all__ = ["bp", "init_app"]


class LoupeApi(Api):
    ERROR_SCHEMA = schemas.ErrorSchema

    def _register_error_handlers(self) -> None:
        """None: `blueprints.errors` answers every error, the API's included, in one shape."""


def init_app(app: Flask) -> None:
    from extensions import csrf

    api = LoupeApi(
        app,
        spec_kwargs={
            "info": {"description": "Loupe's JSON API: see docs/api.md. " + schemas.SCOPES_DESCRIPTION},
        },
    )
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "description": "loupe_<prefix>_<secret>"}
    )
    api.register_blueprint(bp)
    csrf.exempt(bp)
    # The document is public (it says what the API takes, nothing of anyone's data). The view is a bound method,
    # which takes no attribute: a plain function in its place carries the mark.
    document = app.view_functions["api-docs.openapi_json"]
    app.view_functions["api-docs.openapi_json"] = access("public")(lambda: document())
    app.extensions["loupe_api"] = api
