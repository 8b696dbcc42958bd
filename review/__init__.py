"""Police review of a slice of the logbook: grants, the officer's visit, marking reviewed."""
