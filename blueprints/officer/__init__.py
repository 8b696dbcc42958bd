"""Public pages for police officers without an account, reached only through signed links sent by email.

Each feature keeps its views in its own module registered on this blueprint (`patrol_views`, `review_views`).
"""

from flask import Blueprint

bp = Blueprint("officer", __name__, url_prefix="/officer")

# The view modules register their routes on bp when imported.
from blueprints.officer import patrol_views, review_views  # noqa: E402, F401

__all__ = ["bp"]
