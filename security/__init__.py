"""Password hashing and policy, signed tokens, HTTP security headers."""
