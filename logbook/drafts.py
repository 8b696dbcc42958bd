"""Casing reports drafted on a phone without a connection, sent later: each draft files at most one incident.

The phone makes up a random key (a UUID version 4) when the casing form opens and sends it with the report. The
incident keeps it (a unique column of the store's `incidents` table), so the same draft sent again — the phone came
back online twice, the first answer was lost on the way, the page was reloaded — finds the incident it filed the
first time instead of filing a second one. See docs/offline.md.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from i18n import _l
from logbook.incidents import LogbookError, add_photos, file_casing_report
from models import Incident
from security.uploads import CheckedImage

# Lower-case, hyphenated, version 4 (what `crypto.randomUUID()` makes): anything else did not come from our page.
DRAFT_KEY = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
BAD_KEY_MESSAGE = _l("This report's draft key is not one this page makes. Reload the page and send it again.")


class DraftKeyRefused(LogbookError):
    """The draft key sent is not a key our page makes."""


@dataclass(frozen=True)
class FiledReport:
    """The incident a casing report filed, and whether this request filed it (False: an earlier one did)."""

    incident: Incident
    created: bool


def parse_draft_key(raw: str | None) -> uuid.UUID | None:
    """The draft key as sent: None when there is none (the form sent without JavaScript), else a UUID version 4
    written as `crypto.randomUUID()` writes it; raise `DraftKeyRefused` for anything else."""
    text = raw or ""
    if not text:
        return None
    if len(text) != 36 or not DRAFT_KEY.fullmatch(text):
        raise DraftKeyRefused(str(BAD_KEY_MESSAGE))
    return uuid.UUID(text)


def filed_with_key(session: Session, draft_key: uuid.UUID) -> Incident | None:
    """The incident an earlier send of this draft filed, if any."""
    return session.scalar(sa.select(Incident).where(Incident.draft_key == draft_key))


def file_casing_report_once(
    session: Session,
    *,
    draft_key: uuid.UUID | None,
    photos: Sequence[CheckedImage] = (),
    **report: Any,
) -> FiledReport:
    """File a casing report (`report`: the keywords of `logbook.incidents.file_casing_report`) with its checked
    photos, once per draft key: when an incident already holds `draft_key`, return it untouched (created=False).

    Two sends of the same draft at the same moment both pass the look-up; the unique column lets only one insert
    through, and the other, inside its own savepoint, rolls back to it and returns the winner's incident."""
    if draft_key is not None:
        if not isinstance(draft_key, uuid.UUID) or draft_key.version != 4:
            raise DraftKeyRefused(str(BAD_KEY_MESSAGE))
        earlier = filed_with_key(session, draft_key)
        if earlier is not None:
            return FiledReport(earlier, created=False)
    try:
        with session.begin_nested():
            incident = file_casing_report(session, **report)
            incident.draft_key = draft_key
            session.flush()
            add_photos(session, incident, photos)
    except IntegrityError:
        winner = filed_with_key(session, draft_key) if draft_key is not None else None
        if winner is None:
            raise
        return FiledReport(winner, created=False)
    return FiledReport(incident, created=True)
