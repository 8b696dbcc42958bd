"""Public pages for police officers without an account, reached only through signed links sent by email.

Each feature keeps its views in its own module registered on this blueprint (`patrol_views`, `review_views`).
"""

from flask import Blueprint

bp = Blueprint("officer", __name__, url_prefix="/officer")

from blueprints.officer import patrol_views  # noqa: E402, F401  (registers its routes on bp)
from blueprints.officer import review_views  # noqa: E402, F401  (registers its routes on bp)

__all__ = ["bp"]
