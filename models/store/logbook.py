"""The store's suspicious-incident logbook: incidents, the people and vehicles seen, and photos.

Descriptors of people are deliberately limited to what helps recognise someone again (clothing, build, height,
behaviour, what they asked about); there is no ethnicity or other demographic field, by design.
Photos are kept in the store's own schema so they move and are deleted with the store; their bytes are loaded
only when served.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import N_, StoreBase, Timestamped

INCIDENT_TYPES: dict[str, str] = {
    "casing": N_("Casing"),
    "suspicious_person": N_("Suspicious person"),
    "suspicious_vehicle": N_("Suspicious vehicle"),
    "distraction": N_("Distraction"),
    "grab_and_run_attempt": N_("Grab-and-run attempt"),
    "phone_email_scam": N_("Phone or email scam"),
    "follow_home": N_("Follow-home"),
    "other": N_("Other"),
}

_TYPE_LIST = ", ".join(f"'{key}'" for key in INCIDENT_TYPES)


class Incident(Timestamped, StoreBase):
    __tablename__ = "incidents"
    __table_args__ = (sa.CheckConstraint(f"incident_type IN ({_TYPE_LIST})", name="incident_type"),)

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(index=True)
    incident_type: Mapped[str] = mapped_column(sa.String(30), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    narrative: Mapped[str] = mapped_column(sa.Text)
    location_note: Mapped[str] = mapped_column(sa.String(300), server_default="")
    staff_involved: Mapped[str] = mapped_column(sa.Text, server_default="")
    police_notified: Mapped[bool] = mapped_column(server_default=sa.false())
    police_report_number: Mapped[str] = mapped_column(sa.String(60), server_default="")
    is_casing_report: Mapped[bool] = mapped_column(server_default=sa.false())
    contacts_notified_at: Mapped[datetime | None] = mapped_column()
    # A shared `users.id`; no foreign key across schemas (the store schema must stand on its own).
    reported_by_user_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    # Deleting hides an incident everywhere (`logbook.incidents.live`) and keeps it 30 days for a restore; the
    # daily purge then removes it for good, with its photos.
    deleted_at: Mapped[datetime | None] = mapped_column()
    deleted_by_user_id: Mapped[int | None] = mapped_column(sa.BigInteger)
    # The red flags seen (codes of `logbook.red_flags`, in the list's order): structured, for sharing, patterns and
    # trends. No CHECK on the codes: the list grows in code (`logbook.red_flags.validated` guards every write).
    red_flags: Mapped[list[str]] = mapped_column(ARRAY(sa.String(30)), server_default=sa.text("'{}'::varchar[]"))
    # The key a phone made up for a casing report drafted offline (docs/offline.md): the same draft sent twice
    # finds this incident instead of filing a second one. Empty for everything filed another way.
    draft_key: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, unique=True)

    people: Mapped[list[IncidentPerson]] = relationship(
        back_populates="incident", cascade="all, delete-orphan", passive_deletes=True, order_by="IncidentPerson.id"
    )
    vehicles: Mapped[list[IncidentVehicle]] = relationship(
        back_populates="incident", cascade="all, delete-orphan", passive_deletes=True, order_by="IncidentVehicle.id"
    )
    photos: Mapped[list[IncidentPhoto]] = relationship(
        back_populates="incident", cascade="all, delete-orphan", passive_deletes=True, order_by="IncidentPhoto.id"
    )

    @property
    def type_label(self) -> str:
        return INCIDENT_TYPES.get(self.incident_type, self.incident_type)


def live() -> sa.ColumnElement[bool]:
    """The one filter every read of incidents goes through: a deleted incident (recoverable for 30 days, see
    `logbook.incidents.delete_incident`) is hidden from the logbook, its counts and export, sharing, the police
    review slices, casing links and demo data. Here, below every domain package, so all of them can use it."""
    return Incident.deleted_at.is_(None)


class IncidentPerson(StoreBase):
    __tablename__ = "incident_people"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    clothing: Mapped[str] = mapped_column(sa.String(300), server_default="")
    build: Mapped[str] = mapped_column(sa.String(100), server_default="")
    height: Mapped[str] = mapped_column(sa.String(50), server_default="")
    behaviour: Mapped[str] = mapped_column(sa.Text, server_default="")
    asked_about: Mapped[str] = mapped_column(sa.String(300), server_default="")
    other_details: Mapped[str] = mapped_column(sa.Text, server_default="")

    incident: Mapped[Incident] = relationship(back_populates="people")


class IncidentVehicle(StoreBase):
    __tablename__ = "incident_vehicles"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    make: Mapped[str] = mapped_column(sa.String(60), server_default="")
    model: Mapped[str] = mapped_column(sa.String(60), server_default="")
    colour: Mapped[str] = mapped_column(sa.String(40), server_default="")
    plate: Mapped[str] = mapped_column(sa.String(20), server_default="")
    plate_state: Mapped[str] = mapped_column(sa.String(40), server_default="")

    incident: Mapped[Incident] = relationship(back_populates="vehicles")


class IncidentPhoto(StoreBase):
    __tablename__ = "incident_photos"

    id: Mapped[int] = mapped_column(sa.BigInteger, sa.Identity(), primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        sa.BigInteger, sa.ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    # Random; the uploader's file name is never stored or used.
    stored_name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    content_type: Mapped[str] = mapped_column(sa.String(50))
    width: Mapped[int] = mapped_column()
    height: Mapped[int] = mapped_column()
    byte_size: Mapped[int] = mapped_column()
    data: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())

    incident: Mapped[Incident] = relationship(back_populates="photos")
