"""Bulk import of member stores from CSV: every row is checked first, then all are registered in one go, or none.

Columns (a header row is required, any order): name, slug (optional), region (slug), area (optional, slug or
name), owner_email, owner_name. A dry run stops after the checks. Registering writes the registry rows, the owner
invitations and their emails in the caller's transaction; the schemas are built after commit (see
`tenants.pending`).
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

import audit
from accounts.mailers import ROLE_LABELS
from audit import Actor
from billing.platform import queue_quantity_sync
from i18n import _l
from mail.links import external_url
from mail.outbox import make_message_id
from mail.render import header_safe, render_email
from models import Area, Association, Invitation, OutboundEmail, Region, Role, Store, StoreStatus
from models.base import utcnow
from security.readable_text import has_unreadable_characters
from security.tokens import new_secret, sign
from tenants.errors import InvalidStoreName
from tenants.naming import (
    clean_store_name,
    free_slug,
    schema_name_for,
    slug_from_name,
    slug_unavailable,
    validate_slug,
)

MAX_ROWS = 10_000
MAX_BYTES = 5 * 1024 * 1024
REQUIRED_COLUMNS = ("name", "region", "owner_email", "owner_name")
OPTIONAL_COLUMNS = ("slug", "area")
_MAX_FIELD = 500


@dataclass
class ImportRow:
    line: int
    name: str = ""
    slug: str = ""
    region: str = ""
    area: str = ""
    owner_email: str = ""
    owner_name: str = ""
    errors: list[str] = field(default_factory=list)
    # Filled in by the checks for rows that pass.
    region_id: int | None = None
    area_id: int | None = None


@dataclass
class ImportReport:
    rows: list[ImportRow] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    created_store_ids: list[int] = field(default_factory=list)
    emails: list[OutboundEmail] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.file_errors and all(not r.errors for r in self.rows)

    @property
    def rows_with_errors(self) -> list[ImportRow]:
        return [r for r in self.rows if r.errors]


def _text(value: str) -> str:
    return unicodedata.normalize("NFC", (value or "").strip())


def parse_csv(data: bytes) -> ImportReport:
    """Read the file into rows (no database checks yet); problems with the file itself go to `file_errors`."""
    report = ImportReport()
    if len(data) > MAX_BYTES:
        report.file_errors.append(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB; split it.")
        return report
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        report.file_errors.append("The file is not UTF-8 text. Save it as 'CSV UTF-8' and try again.")
        return report
    if "\x00" in text:
        report.file_errors.append("The file contains NUL bytes; it is not a CSV text file.")
        return report
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        report.file_errors.append(f"The file is not valid CSV: {exc}.")
        return report
    if not records:
        report.file_errors.append("The file is empty.")
        return report
    header = [_text(h).lower().replace(" ", "_") for h in records[0]]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [h for h in header if h and h not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if missing:
        report.file_errors.append(
            "The first line must name the columns; missing: " + ", ".join(missing) + ". "
            "Expected: name, slug, region, area, owner_email, owner_name."
        )
        return report
    if unknown:
        report.file_errors.append("Unknown columns: " + ", ".join(h[:40] for h in unknown[:5]) + ".")
        return report
    if len(set(header)) != len(header):
        report.file_errors.append("A column is named twice in the first line.")
        return report
    body = records[1:]
    if sum(1 for r in body if any(c.strip() for c in r)) > MAX_ROWS:
        report.file_errors.append(f"The file has more than {MAX_ROWS} stores; split it.")
        return report
    for index, record in enumerate(body, start=2):
        if not any(c.strip() for c in record):
            continue  # blank lines are harmless
        row = ImportRow(line=index)
        if len(record) != len(header):
            row.errors.append(f"Expected {len(header)} fields, found {len(record)} (a missing or extra comma?).")
        values = dict(zip(header, record, strict=False))
        for column in REQUIRED_COLUMNS + OPTIONAL_COLUMNS:
            value = _text(values.get(column, ""))
            if len(value) > _MAX_FIELD:
                row.errors.append(f"The {column} is too long.")
                value = value[:_MAX_FIELD]
            setattr(row, column, value)
        report.rows.append(row)
    if not report.rows:
        report.file_errors.append("The file has a header but no stores.")
    return report


def check_rows(session: Session, association: Association, report: ImportReport) -> ImportReport:
    """Check every row against the registry and the rest of the file; each problem is written on its row."""
    regions = {r.slug: r for r in session.scalars(sa.select(Region).where(Region.association_id == association.id))}
    areas: dict[tuple[int, str], Area] = {}
    for area in session.scalars(sa.select(Area).where(Area.region_id.in_([r.id for r in regions.values()]))):
        areas[(area.region_id, area.slug)] = area
        areas.setdefault((area.region_id, area.name.casefold()), area)
    taken_slugs = set(session.scalars(sa.select(Store.slug)))
    existing_names = {
        (region_id, name.casefold())
        for region_id, name in session.execute(
            sa.select(Store.region_id, Store.name).where(Store.association_id == association.id)
        )
    }
    seen_slugs: dict[str, int] = {}
    seen_names: dict[tuple[int, str], int] = {}
    region_list = ", ".join(sorted(regions)[:10]) or "none yet"

    for row in report.rows:
        name_ok = True
        try:
            row.name = clean_store_name(row.name)
        except InvalidStoreName as exc:
            row.errors.append(str(exc))
            name_ok = False
        region = regions.get(row.region.lower())
        if not row.region:
            row.errors.append("Enter the region's short name (slug).")
        elif region is None:
            row.errors.append(f"No region {row.region[:60]!r} in this association (regions: {region_list}).")
        else:
            row.region_id = region.id
            if row.area:
                area = areas.get((region.id, row.area.lower())) or areas.get((region.id, row.area.casefold()))
                if area is None:
                    row.errors.append(f"No area {row.area[:60]!r} in region {region.slug}.")
                else:
                    row.area_id = area.id
        if row.slug:
            try:
                row.slug = validate_slug(row.slug)
            except InvalidStoreName as exc:
                row.errors.append(str(exc))
            else:
                if row.slug in seen_slugs:
                    row.errors.append(f"The address {row.slug!r} is also on line {seen_slugs[row.slug]}.")
                elif row.slug in taken_slugs:
                    # Held by a store of any association: the reserved-word answer, so nothing is revealed.
                    row.errors.append(str(slug_unavailable(row.slug)))
                seen_slugs.setdefault(row.slug, row.line)
        try:
            row.owner_email = validate_email(row.owner_email, check_deliverability=False).normalized.lower()
        except EmailNotValidError as exc:
            row.errors.append(f"Owner email: {exc}")
        if not row.owner_name:
            row.errors.append("Enter the owner's name.")
        elif len(row.owner_name) > 200 or has_unreadable_characters(row.owner_name):
            row.errors.append("The owner's name is too long or contains control characters.")
        if row.region_id is not None and name_ok:
            key = (row.region_id, row.name.casefold())
            if key in seen_names:
                row.errors.append(f"The same store is also on line {seen_names[key]}.")
            elif key in existing_names:
                row.errors.append(f"A member store named {row.name!r} already exists in region {row.region}.")
            seen_names.setdefault(key, row.line)

    # Addresses derived from names, once every explicit one is known, so no row takes another's.
    taken = taken_slugs | set(seen_slugs)
    for row in report.rows:
        if row.errors or row.slug:
            continue
        try:
            row.slug = free_slug(slug_from_name(row.name), taken)
        except InvalidStoreName as exc:
            row.errors.append(str(exc))
        else:
            taken.add(row.slug)
    return report


def import_stores(
    session: Session,
    association: Association,
    data: bytes,
    *,
    actor: Actor,
    dry_run: bool,
    invitation_max_age: timedelta,
) -> ImportReport:
    """Check the file; unless it is a dry run and when every row is right, register all stores in this
    transaction and queue their owners' invitations. Nothing is written when any row has an error."""
    report = check_rows(session, association, parse_csv(data))
    if dry_run or not report.ok:
        return report
    stores = [
        Store(
            association_id=association.id,
            region_id=row.region_id,
            area_id=row.area_id,
            name=row.name,
            slug=row.slug,
            status=StoreStatus.PROVISIONING.value,
        )
        for row in report.rows
    ]
    session.add_all(stores)
    session.flush()
    # One statement for every schema name (generated from the id, as register_store does one by one).
    session.execute(
        sa.update(Store)
        .where(Store.id.in_([s.id for s in stores]))
        # `||` on text, not concat(): concat is STABLE, and Citus refuses a STABLE function over a column in an UPDATE
        # of a table in its metadata (the registry is one there, docs/scaling.md).
        .values(schema_name=sa.literal("store_", sa.Text) + sa.cast(Store.id, sa.Text))
        .execution_options(synchronize_session=False)
    )
    for store in stores:
        set_committed_value(store, "schema_name", schema_name_for(store.id))
    expires = utcnow() + invitation_max_age
    invitations = [
        Invitation(
            email=row.owner_email,
            name=row.owner_name[:200],
            association_id=association.id,
            store_id=store.id,
            role=Role.STORE_OWNER.value,
            nonce=new_secret(),
            invited_by_id=actor.user_id,
            expires_at=expires,
        )
        for row, store in zip(report.rows, stores, strict=True)
    ]
    session.add_all(invitations)
    session.flush()
    audit.record(
        session,
        "store.import",
        actor=actor,
        association_id=association.id,
        details={"stores": len(stores), "store_ids": [s.id for s in stores], "owner_invitations": len(invitations)},
    )
    report.emails = _queue_owner_invitations(
        session, association, invitations, stores, inviter=actor.name if actor.user_id else None
    )
    report.created_store_ids = [s.id for s in stores]
    queue_quantity_sync(session, association.id)  # Loupe bills the association per member store
    return report


def _queue_owner_invitations(
    session: Session,
    association: Association,
    invitations: list[Invitation],
    stores: list[Store],
    *,
    inviter: str | None,
) -> list[OutboundEmail]:
    """The same emails as `queue_invitation_email`, added to the outbox with one flush for the whole import
    (that function flushes each row: fine for one invitation, minutes for thousands)."""
    days = current_app.config["INVITATION_MAX_AGE"].days
    rows = []
    for invitation, store in zip(invitations, stores, strict=True):
        email = render_email(
            "invitation",
            _l("You are invited to %(association)s on Loupe", association=association.name),
            invitation=invitation,
            association=association,
            store=store,
            role_label=ROLE_LABELS["owner"],
            inviter=inviter,
            link=external_url("auth.accept_invitation", token=sign("invitation", invitation.nonce)),
            days=days,
        )
        rows.append(
            OutboundEmail(
                message_id=make_message_id(),
                to_address=header_safe(invitation.email, 254),
                subject=email.subject,
                body_text=email.text,
                body_html=email.html,
                kind="invitation",
            )
        )
    session.add_all(rows)
    session.flush()
    return rows
