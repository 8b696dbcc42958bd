"""Sharing with the region: a store's incident, police notes and trends, shared photos."""
