"""Tables inside each store's own schema (declared without a schema; bound per session)."""

from models.store.briefing import Keyholder, SafeOrVault, SecurityBriefing
from models.store.contact_log import ContactLogEntry
from models.store.contacts import PoliceContact
from models.store.logbook import Incident, IncidentPerson, IncidentPhoto, IncidentVehicle
from models.store.meetings import Meeting, MeetingAction
from models.store.notifications import StoreNotification
from models.store.patrols import PatrolLogEntry, PatrolRequest, PatrolStatus, Trip
from models.store.plans import EmergencyPlan, PlanAcknowledgement
from models.store.profile import StoreProfile
from models.store.review import ReviewAccess, ReviewGrant
from models.store.settings import StoreSetting
from models.store.sharing import SharedBulletin
from models.store.sightings import ReportedSighting

__all__ = [
    "SharedBulletin",
    "PatrolLogEntry",
    "PatrolRequest",
    "PatrolStatus",
    "Trip",
    "ContactLogEntry",
    "Meeting",
    "MeetingAction",
    "EmergencyPlan",
    "PlanAcknowledgement",
    "Keyholder",
    "Incident",
    "IncidentPerson",
    "IncidentPhoto",
    "IncidentVehicle",
    "PoliceContact",
    "ReportedSighting",
    "StoreNotification",
    "ReviewAccess",
    "ReviewGrant",
    "SafeOrVault",
    "SecurityBriefing",
    "StoreSetting",
    "StoreProfile",
]
