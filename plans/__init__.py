"""Emergency plans."""
