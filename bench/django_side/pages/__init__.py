"""The store pages of the page comparison (issue #22): the dashboard and the regional feed, as a django-tenants
app serves them. Not used by the provisioning measures."""
