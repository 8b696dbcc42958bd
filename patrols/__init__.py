"""Patrol and extra-watch requests, trips (away mode) and the officer's signed link."""
