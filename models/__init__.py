"""Typed SQLAlchemy models: `SharedBase` tables in the shared schema, `StoreBase` tables in each store schema."""

from models.accounts import STORE_ROLES, AuthSession, Invitation, LoginThrottle, Membership, Role, User
from models.audit import AuditEntry
from models.base import SharedBase, StoreBase
from models.mail import OutboundEmail
from models.registry import Area, Association, Region, Store, StoreStatus
from models.store import PoliceContact, StoreSetting

__all__ = [
    "STORE_ROLES",
    "Area",
    "Association",
    "AuditEntry",
    "AuthSession",
    "Invitation",
    "LoginThrottle",
    "Membership",
    "OutboundEmail",
    "PoliceContact",
    "Region",
    "Role",
    "SharedBase",
    "Store",
    "StoreBase",
    "StoreSetting",
    "StoreStatus",
    "User",
]
