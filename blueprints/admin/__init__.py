"""The association admin portal, under /a/<association-slug>/.

`views` holds the blueprint; the other view modules add their routes to it when imported, which is why they are
imported here (and only here). The portal's CLI commands are `cli/stores.py`, joined to `flask tenants` in
`cli/__init__.py`.
"""

from blueprints.admin import (  # noqa: F401  (add their routes to bp)
    alert_views,
    audit_views,
    billing_views,
    digest_views,
    members,
    merge_views,
    moderation_views,
    people,
    regions,
    trends_views,
)
from blueprints.admin.views import bp

__all__ = ["bp"]
