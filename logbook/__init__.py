"""The store's incident logbook."""
