"""The officer pages' blueprint; `patrol_views` and `review_views` add their routes to it."""

from flask import Blueprint

bp = Blueprint("officer", __name__, url_prefix="/officer")
