"""Connections to PostgreSQL: the embedded server for development and tests, and the engines."""
