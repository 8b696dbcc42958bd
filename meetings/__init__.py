"""Meetings with the police: scheduling, agendas, outcomes, actions."""
