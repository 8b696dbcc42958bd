"""Tables inside each store's own schema (declared without a schema; bound per session)."""

from models.store.contacts import PoliceContact
from models.store.settings import StoreSetting

__all__ = ["PoliceContact", "StoreSetting"]
