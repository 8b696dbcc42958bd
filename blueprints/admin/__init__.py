"""The association admin portal, under /a/<association-slug>/."""

from blueprints.admin import (  # noqa: F401  (register their routes)
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
from cli.stores import register as _register_cli
from cli.tenants import tenants_group

# The portal's CLI commands live with it; they join `flask tenants` (purge-removed, build-pending, import).
_register_cli(tenants_group)

__all__ = ["bp"]
