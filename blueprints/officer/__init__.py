"""Public pages for police officers without an account, reached only through signed links sent by email.

`views` holds the blueprint; each feature keeps its views in its own module (`patrol_views`, `review_views`,
`casing_views`),
which adds its routes to it when imported, which is why they are imported here (and only here).
"""

from blueprints.officer import casing_views, patrol_views, review_views  # noqa: F401  (add their routes to bp)
from blueprints.officer.views import bp

__all__ = ["bp"]
