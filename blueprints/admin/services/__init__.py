"""Admin portal domain functions: registry rows, billing rows and anonymized counts only.

Never a store's own schema: nothing here binds a Session to a store. Every lookup is filtered by the
association of the admin portal it serves, so an id of another association's row is simply not found.
"""
