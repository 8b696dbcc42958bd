"""The API's request and response shapes (marshmallow): the OpenAPI document is generated from these.

Every bound here is the form's or the database's (lengths, list sizes, dates 1900–2200, ids within bigint).
"""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate

from apitokens.tokens import ALL_SCOPES
from models.bulletins import BULLETIN_KINDS, FEED_TLPS
from models.store.logbook import INCIDENT_TYPES
from security.ranges import EARLIEST_DATE, LATEST_DATE, MAX_ID, date_in_range

PAGE_LIMIT = 100
MAX_PEOPLE = MAX_VEHICLES = 6  # as the logbook form
DATE_MESSAGE = f"Enter a date between {EARLIEST_DATE.year} and {LATEST_DATE.year}."


# The date range, said in the document too (OpenAPI has no bounds for dates): years 1900 to 2200.
YEARS = r"(19[0-9]{2}|2[01][0-9]{2}|2200)"
DATE_PATTERN = {"pattern": f"^{YEARS}-[0-9]{{2}}-[0-9]{{2}}$"}
DATETIME_PATTERN = {"pattern": f"^{YEARS}-[0-9]{{2}}-[0-9]{{2}}T"}


def _in_range(value) -> None:
    if not date_in_range(value):
        raise ValidationError(DATE_MESSAGE)


class StrictSchema(Schema):
    """Unknown fields are refused (422), so a typo never passes silently."""


# --- errors -------------------------------------------------------------------------------------------------------


class ErrorDetail(Schema):
    status = fields.Integer(required=True, metadata={"description": "The HTTP status, again."})
    code = fields.String(required=True, metadata={"description": "Stable machine-readable code, e.g. not_found."})
    message = fields.String(required=True, metadata={"description": "What went wrong, for a person."})
    details = fields.Dict(required=True, metadata={"description": "More: `fields` (per-field errors) for 422."})


class ErrorSchema(Schema):
    error = fields.Nested(ErrorDetail, required=True)


# --- paging -------------------------------------------------------------------------------------------------------


class PageArgs(StrictSchema):
    cursor = fields.String(
        validate=validate.Length(min=1, max=200),
        metadata={"description": "The `next_cursor` of the previous page (opaque)."},
    )
    limit = fields.Integer(
        load_default=20, validate=validate.Range(min=1, max=PAGE_LIMIT), metadata={"description": "Page size."}
    )


# --- bulletins ----------------------------------------------------------------------------------------------------


class FeedArgs(PageArgs):
    kind = fields.String(validate=validate.OneOf(list(BULLETIN_KINDS)))
    tlp = fields.String(validate=validate.OneOf(list(FEED_TLPS)))
    area_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    since = fields.Date(validate=_in_range, metadata={"description": "First local day of publication.", **DATE_PATTERN})
    until = fields.Date(validate=_in_range, metadata={"description": "Last local day of publication.", **DATE_PATTERN})


class PatternArgs(PageArgs):
    pass


class BulletinSchema(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    tlp = fields.String(required=True, metadata={"description": "AMBER+STRICT, AMBER or GREEN."})
    incident_type = fields.String(required=True)
    title = fields.String(required=True)
    narrative = fields.String(required=True)
    location_note = fields.String(required=True)
    region = fields.String(required=True)
    area = fields.String(required=True, allow_none=True)
    day = fields.Date(required=True, allow_none=True, metadata={"description": "Local day (coarse time)."})
    part_of_day = fields.String(required=True)
    iso_week = fields.String(required=True)
    people = fields.List(fields.Dict(), required=True)
    vehicles = fields.List(fields.Dict(), required=True)
    red_flags = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "Red-flag codes of a casing report (on_phone, sunglasses, hat_hood_low, ...)."},
    )
    published_at = fields.DateTime(required=True)
    expires_at = fields.DateTime(required=True)
    helped = fields.Integer(required=True, metadata={"description": "How many members said it helped."})


class BulletinPage(Schema):
    items = fields.List(fields.Nested(BulletinSchema), required=True)
    next_cursor = fields.String(required=True, allow_none=True)


# --- trends -------------------------------------------------------------------------------------------------------


class SeriesSchema(Schema):
    label = fields.String(required=True)
    values = fields.List(
        fields.Integer(allow_none=True),
        required=True,
        metadata={"description": "One per week; null where the count is withheld (small-count rule)."},
    )


class TrendArgs(StrictSchema):
    region_id = fields.Integer(
        validate=validate.Range(min=1, max=MAX_ID),
        metadata={"description": "Which of a police liaison's regions (default: the first by name)."},
    )


class TrendSchema(Schema):
    region = fields.String(required=True)
    k = fields.Integer(required=True, metadata={"description": "The region's small-count threshold."})
    weeks = fields.List(fields.String(), required=True, metadata={"description": "Closed ISO weeks, oldest first."})
    open_week = fields.String(required=True, metadata={"description": "The current week: never counted."})
    total = fields.Nested(SeriesSchema, required=True)
    by_type = fields.List(fields.Nested(SeriesSchema), required=True)
    areas = fields.List(fields.Nested(SeriesSchema), required=True)


# --- incidents ----------------------------------------------------------------------------------------------------


class PersonSchema(StrictSchema):
    clothing = fields.String(validate=validate.Length(max=300), load_default="")
    build = fields.String(validate=validate.Length(max=100), load_default="")
    height = fields.String(validate=validate.Length(max=50), load_default="")
    behaviour = fields.String(validate=validate.Length(max=2000), load_default="")
    asked_about = fields.String(validate=validate.Length(max=300), load_default="")
    other_details = fields.String(validate=validate.Length(max=2000), load_default="")


class VehicleSchema(StrictSchema):
    make = fields.String(validate=validate.Length(max=60), load_default="")
    model = fields.String(validate=validate.Length(max=60), load_default="")
    colour = fields.String(validate=validate.Length(max=40), load_default="")
    plate = fields.String(validate=validate.Length(max=20), load_default="")
    plate_state = fields.String(validate=validate.Length(max=40), load_default="")


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError("This field cannot be blank.")


class IncidentIn(StrictSchema):
    occurred_at = fields.AwareDateTime(
        required=True,
        validate=_in_range,
        metadata={"description": "With its UTC offset, e.g. 2026-12-01T14:30:00Z.", **DATETIME_PATTERN},
    )
    incident_type = fields.String(required=True, validate=validate.OneOf(list(INCIDENT_TYPES)))
    title = fields.String(required=True, validate=[validate.Length(min=1, max=200), _not_blank])
    narrative = fields.String(required=True, validate=[validate.Length(min=1, max=20000), _not_blank])
    location_note = fields.String(validate=validate.Length(max=300), load_default="")
    staff_involved = fields.String(validate=validate.Length(max=2000), load_default="")
    police_notified = fields.Boolean(load_default=False)
    police_report_number = fields.String(
        validate=validate.Length(max=60),
        load_default="",
        metadata={"description": "Kept only with police_notified true (as the logbook stores it)."},
    )
    people = fields.List(fields.Nested(PersonSchema), validate=validate.Length(max=MAX_PEOPLE), load_default=list)
    vehicles = fields.List(fields.Nested(VehicleSchema), validate=validate.Length(max=MAX_VEHICLES), load_default=list)


class IncidentOut(Schema):
    id = fields.Integer(required=True)
    occurred_at = fields.DateTime(required=True)
    incident_type = fields.String(required=True)
    title = fields.String(required=True)


class IncidentPath(Schema):
    incident_id = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_ID))


class ShareIn(StrictSchema):
    tlp = fields.String(load_default="AMBER", validate=validate.OneOf(list(FEED_TLPS)))
    share_photos = fields.Boolean(load_default=False)
    keep_names = fields.List(
        fields.String(validate=validate.Length(min=1, max=100)),
        validate=validate.Length(max=20),
        load_default=list,
        metadata={"description": "Name-like words flagged by the anonymizer to publish as typed; others are scrubbed."},
    )


class ShareOut(Schema):
    bulletin_id = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"description": "pending (moderation) or published."})
    tlp = fields.String(required=True)
    title = fields.String(required=True)
    narrative = fields.String(required=True, metadata={"description": "As published: anonymized."})


# --- members ------------------------------------------------------------------------------------------------------


class MemberArgs(PageArgs):
    region_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))


class MemberSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    slug = fields.String(required=True)
    region = fields.String(required=True)
    area = fields.String(required=True, allow_none=True)
    status = fields.String(required=True)
    has_owner = fields.Boolean(required=True)


class MemberPage(Schema):
    items = fields.List(fields.Nested(MemberSchema), required=True)
    next_cursor = fields.String(required=True, allow_none=True)


SCOPES_DESCRIPTION = (
    "Token kinds: a store's, an association's, and a police liaison's personal token (only bulletins:read, "
    "patterns:read, trends:read: their regions, as their liaison pages show; every other operation is refused). "
    "Scopes: "
    + "; ".join(f"{name}: {text}" for name, text in ALL_SCOPES.items())
    + ". A suspended association answers 423; when Loupe's own subscription is not paid, reading only, then (after "
    "the grace period) only the member list, which is the association's own data to take away."
)
