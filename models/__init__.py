"""Typed SQLAlchemy models: `SharedBase` tables in the shared schema, `StoreBase` tables in each store schema."""

from models.accounts import (
    ASSOCIATION_ROLES,
    GRANTABLE_ROLES,
    MANAGER_ROLES,
    OWNER_ROLES,
    STORE_ROLES,
    AuthSession,
    Invitation,
    LoginThrottle,
    Membership,
    RecoveryCode,
    Role,
    User,
)
from models.alerts import AlertDelivery, AlertPreference, BulletinPattern, UrgentAlert
from models.api_tokens import ApiToken
from models.audit import AuditEntry
from models.base import SharedBase, StoreBase
from models.billing import DuesPlan, ProcessedStripeEvent, StoreSubscription, StripeAccount
from models.bulletin_photos import BulletinPhoto
from models.bulletins import Bulletin, BulletinFeedback, BulletinSettings
from models.digest import DigestDelivery, DigestRun
from models.mail import OutboundEmail
from models.notifications import Notification, NotificationPreference
from models.platform import (
    AssociationSignup,
    AssociationSubscription,
    PlatformPlan,
    PlatformSettings,
    ProcessedPlatformEvent,
    SignupStatus,
)
from models.rate_limits import RateLimitCounter as RateLimitCounter
from models.registry import Area, Association, Region, Store, StoreStatus
from models.review_index import PoliceShareIndex
from models.schema_pool import PoolSchema as PoolSchema
from models.sightings import BulletinSighting, TrendBulletinDetails
from models.store import (
    ContactLogEntry,
    EmergencyPlan,
    Incident,
    IncidentPerson,
    IncidentPhoto,
    IncidentVehicle,
    Keyholder,
    Meeting,
    MeetingAction,
    PoliceContact,
    ReviewAccess,
    ReviewGrant,
    SafeOrVault,
    SecurityBriefing,
    StoreSetting,
)
from models.store.notifications import StoreNotification
from models.store.patrols import PatrolLogEntry, PatrolRequest, PatrolStatus, Trip
from models.store.sharing import SharedBulletin
from models.store.sightings import ReportedSighting
from models.trends import PublishedTrendWeek
from models.webhooks import WebhookDelivery, WebhookSubscription

__all__ = [
    "AssociationSubscription",
    "PlatformPlan",
    "ProcessedPlatformEvent",
    "AssociationSignup",
    "PlatformSettings",
    "SignupStatus",
    "ApiToken",
    "WebhookDelivery",
    "WebhookSubscription",
    "DigestDelivery",
    "DigestRun",
    "AlertDelivery",
    "AlertPreference",
    "BulletinPattern",
    "UrgentAlert",
    "PublishedTrendWeek",
    "Bulletin",
    "BulletinFeedback",
    "BulletinPhoto",
    "BulletinSettings",
    "BulletinSighting",
    "SharedBulletin",
    "PatrolLogEntry",
    "PatrolRequest",
    "PatrolStatus",
    "Trip",
    "DuesPlan",
    "ProcessedStripeEvent",
    "StoreSubscription",
    "StripeAccount",
    "ContactLogEntry",
    "Meeting",
    "MeetingAction",
    "STORE_ROLES",
    "MANAGER_ROLES",
    "OWNER_ROLES",
    "ASSOCIATION_ROLES",
    "GRANTABLE_ROLES",
    "Area",
    "Association",
    "AuditEntry",
    "AuthSession",
    "EmergencyPlan",
    "Incident",
    "IncidentPerson",
    "IncidentPhoto",
    "IncidentVehicle",
    "Invitation",
    "Keyholder",
    "LoginThrottle",
    "Membership",
    "OutboundEmail",
    "PoliceContact",
    "PoliceShareIndex",
    "RecoveryCode",
    "ReviewAccess",
    "ReviewGrant",
    "Region",
    "ReportedSighting",
    "StoreNotification",
    "Notification",
    "NotificationPreference",
    "Role",
    "SafeOrVault",
    "SecurityBriefing",
    "SharedBase",
    "Store",
    "TrendBulletinDetails",
    "StoreBase",
    "StoreSetting",
    "StoreStatus",
    "User",
]
