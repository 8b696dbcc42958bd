"""Photos shared with a bulletin (ANONYMIZATION.md rule 5): opt-in, AMBER or stricter, re-encoded, no store id.

`share_photos` runs inside the store's request (the session is bound to its schema, so it can read the incident's
photos) and writes re-encodings of their pixels to the shared `bulletin_photos` table under new random names: no
metadata, no original name, nothing that points back at the store's own photo rows. `delete_photos` takes them
back when the store withdraws the bulletin or a moderator moves it to a mark that does not allow photos.
`preview_photo` gives the store, before it confirms, the very bytes `share_photos` would write (rule 7).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session, undefer

from anonymize import TLP, reencode_photo
from errors import NotFound
from i18n import _
from models import Incident, IncidentPhoto
from models.bulletin_photos import BulletinPhoto
from models.bulletins import Bulletin

PHOTO_TLPS = frozenset(tlp.value for tlp in TLP if tlp.allows_photos and tlp.feed_allowed)
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def photos_allowed(tlp: str) -> bool:
    """Photos go only to AMBER+STRICT or AMBER (never GREEN or CLEAR; RED never reaches the feed)."""
    return tlp in PHOTO_TLPS


def _kind(data: bytes) -> tuple[str, str]:
    return ("image/png", "png") if data.startswith(_PNG_MAGIC) else ("image/jpeg", "jpg")


@dataclass(frozen=True)
class PublishedImage:
    """A photo as it is published: re-encoded from its pixels, with its type and file extension."""

    data: bytes
    content_type: str
    extension: str


def published_form(raw: bytes) -> PublishedImage:
    """The one way a store photo becomes a shared one, used by the share and by its preview alike."""
    data = reencode_photo(raw)
    content_type, extension = _kind(data)
    return PublishedImage(data, content_type, extension)


def preview_photo(session: Session, incident: Incident, photo_id: int) -> PublishedImage:
    """One of the incident's own photos as it would be published; NotFound for a photo of another incident.

    The session is bound to the store's schema, so another store's photos cannot be reached at all."""
    raw = session.scalar(
        sa.select(IncidentPhoto.data).where(IncidentPhoto.id == photo_id, IncidentPhoto.incident_id == incident.id)
    )
    if raw is None:
        raise NotFound(_("No such photo on this incident."))
    return published_form(raw)


def share_photos(session: Session, bulletin: Bulletin, incident: Incident) -> int:
    """Store a metadata-free re-encoding of each of the incident's photos with the bulletin; returns how many."""
    if not photos_allowed(bulletin.tlp):
        return 0
    photos = session.scalars(
        sa.select(IncidentPhoto)
        .where(IncidentPhoto.incident_id == incident.id)
        .order_by(IncidentPhoto.id)
        .options(undefer(IncidentPhoto.data))
    ).all()
    for photo in photos:
        image = published_form(photo.data)
        session.add(
            BulletinPhoto(
                bulletin_id=bulletin.id,
                stored_name=f"{secrets.token_hex(16)}.{image.extension}",
                content_type=image.content_type,
                byte_size=len(image.data),
                data=image.data,
            )
        )
    bulletin.photos_allowed = bool(photos)
    session.flush()
    return len(photos)


def delete_photos(session: Session, bulletin: Bulletin) -> None:
    """Remove every photo shared with the bulletin (withdrawn, or no longer at a mark that allows photos)."""
    session.execute(sa.delete(BulletinPhoto).where(BulletinPhoto.bulletin_id == bulletin.id))
    bulletin.photos_allowed = False
    session.flush()
