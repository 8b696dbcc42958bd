"""Photos shared with a bulletin (ANONYMIZATION.md rule 5), in the shared schema.

Only when the store ticked "share photos" and the bulletin is TLP:AMBER or stricter, and only as a fresh
re-encoding of the pixels (`anonymize.reencode_photo`: no EXIF, GPS, XMP, ICC or comments). Like the bulletin,
a photo row has no store id, no original file name and no link to the store's own photo: the stored name is new
and random. Withdrawing the bulletin, or a moderator moving it to TLP:GREEN, deletes the rows.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import HOUR_NOW, SharedBase


class BulletinPhoto(SharedBase):
    __tablename__ = "bulletin_photos"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    bulletin_id: Mapped[int] = mapped_column(sa.ForeignKey("bulletins.id", ondelete="CASCADE"), index=True)
    # Random, chosen when the photo is shared; never the store's stored name or the uploader's file name.
    stored_name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    content_type: Mapped[str] = mapped_column(sa.String(50))
    byte_size: Mapped[int] = mapped_column()
    data: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(server_default=HOUR_NOW)  # hour precision: issue #17 item 6
