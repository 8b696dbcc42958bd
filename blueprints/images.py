"""One way to answer with an image's bytes from an access-checked route (the share preview, the moderation queue)."""

from __future__ import annotations

from flask import Response


def inert_image(data: bytes, content_type: str, filename: str) -> Response:
    """Image bytes that are never sniffed, rendered as anything but an image, or cached."""
    response = Response(data, content_type=content_type)
    response.headers["Content-Disposition"] = f"inline; filename={filename}"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response
