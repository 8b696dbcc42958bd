"""An association's member stores: status, invitation, suspension, removal, bulk import, figures."""
