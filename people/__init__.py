"""People: an association's staff and liaisons, and a store's owners and staff."""
