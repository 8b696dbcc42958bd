"""Urgent alerts, casing patterns, automatic alerts and their history."""
