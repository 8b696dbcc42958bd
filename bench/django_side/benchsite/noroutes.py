"""No pages: the provisioning and migration measures use the project from the command line only."""

urlpatterns = []
