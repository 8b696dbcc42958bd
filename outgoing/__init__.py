"""Outgoing webhooks (issue 20 part 5): subscriptions, events written as deliveries, signed and SSRF-safe sending."""
