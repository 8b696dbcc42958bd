"""Request counters of the rate limits, shared by every web worker (`database.rate_limit_storage`)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from models.base import SharedBase


class RateLimitCounter(SharedBase):
    """One fixed window of one limit for one client: `hits` requests so far, the window closing at `expires_at`.

    `key` names the limit, the route and the client (an address, or a digest of the email typed). A row past its
    `expires_at` counts as zero and is restarted by the next hit; expired rows are purged as hits arrive.
    """

    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(sa.String(512), primary_key=True)
    hits: Mapped[int] = mapped_column(sa.Integer)
    expires_at: Mapped[datetime] = mapped_column(index=True)
