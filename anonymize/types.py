"""Plain values in and out of the anonymizer: no Flask, no database, no ORM objects.

The anonymizer is fed copies of what the store's own records say (built by the caller inside the store's request),
and hands back a draft. Keeping both sides as frozen dataclasses makes the rules testable on their own and makes it
impossible for an ORM object (with its store id and lazy relationships) to leak into a shared table by accident.
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass
from datetime import date, datetime


def _freeze(instance: object, *names: str) -> None:
    """Store sequence fields of a frozen dataclass as tuples, whatever sequence the caller passed."""
    for name in names:
        object.__setattr__(instance, name, tuple(getattr(instance, name)))


class TLP(enum.StrEnum):
    """Traffic Light Protocol 2.0 handling marks, strictest first."""

    RED = "RED"
    AMBER_STRICT = "AMBER+STRICT"
    AMBER = "AMBER"
    GREEN = "GREEN"
    CLEAR = "CLEAR"

    @property
    def label(self) -> str:
        """What is shown in the UI, in email subjects and before a body: `TLP:AMBER+STRICT`."""
        return f"TLP:{self.value}"

    @property
    def feed_allowed(self) -> bool:
        """RED goes to named recipients only; CLEAR is reserved for k-checked trend counts, never for a bulletin."""
        return self in (TLP.AMBER_STRICT, TLP.AMBER, TLP.GREEN)

    @property
    def keeps_plates(self) -> bool:
        """Plate numbers stay only where the audience is the association's members or narrower."""
        return self in (TLP.RED, TLP.AMBER_STRICT, TLP.AMBER)

    @property
    def allows_photos(self) -> bool:
        """Photos follow the same line as plates: AMBER or stricter only."""
        return self.keeps_plates

    @classmethod
    def parse(cls, value: str | TLP) -> TLP:
        """Accept `AMBER+STRICT`, `amber_strict`, `TLP:AMBER`; raise ValueError for anything else."""
        if isinstance(value, TLP):
            return value
        text = str(value).strip().upper().removeprefix("TLP:").replace("_", "+").replace(" ", "")
        return cls(text)


@dataclass(frozen=True)
class StoreIdentity:
    """Everything the store's own records say identifies it. Read from the store's schema, used only to scrub.

    Names are full names as typed in the records ("PC Dana Hughes" is fine: titles are ignored). `case_numbers`
    are the police report numbers the store has on file; they are scrubbed wherever they appear.
    """

    name: str
    trade_names: tuple[str, ...] = ()
    street: str = ""
    street_number: str = ""
    postcode: str = ""
    city: str = ""
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    staff_names: tuple[str, ...] = ()
    keyholder_names: tuple[str, ...] = ()
    officer_names: tuple[str, ...] = ()
    case_numbers: tuple[str, ...] = ()
    # The store profile's website(s) ("https://bellamys.example/") and the parts of its address after the street
    # ("Suite 4", "Harbour Arcade").
    websites: tuple[str, ...] = ()
    address_lines: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # Callers pass lists straight from queries; tuples keep the identity hashable (its terms are cached by it).
        _freeze(self, "trade_names", "phones", "emails", "staff_names", "keyholder_names", "officer_names")
        _freeze(self, "case_numbers", "websites", "address_lines")


@dataclass(frozen=True)
class PersonDescription:
    """Descriptors of one person seen. Deliberately no demographic field (ethnicity is not a field)."""

    clothing: str = ""
    build: str = ""
    height: str = ""
    behaviour: str = ""
    asked_about: str = ""
    other_details: str = ""


@dataclass(frozen=True)
class VehicleDescription:
    make: str = ""
    model: str = ""
    colour: str = ""
    plate: str = ""
    plate_state: str = ""

    @property
    def is_described(self) -> bool:
        return any(value.strip() for value in (self.make, self.model, self.colour, self.plate))


@dataclass(frozen=True)
class IncidentFacts:
    """The incident as the store logged it. `occurred_at` must be timezone-aware (it is stored as timestamptz)."""

    incident_type: str
    title: str
    narrative: str
    occurred_at: datetime
    location_note: str = ""
    people: tuple[PersonDescription, ...] = ()
    vehicles: tuple[VehicleDescription, ...] = ()
    # Red-flag codes ticked on the report (`logbook.red_flags`): one of a fixed list of behaviours each, no free text.
    red_flags: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _freeze(self, "people", "vehicles", "red_flags")


@dataclass(frozen=True)
class PlaceContext:
    """Where the store is, as coarse as the rules allow: its region, its area and how many member stores the area
    holds (the area may be named only when it holds at least `k`), and the region's effective time zone."""

    region_name: str
    area_name: str | None = None
    area_store_count: int = 0
    k: int = 5
    timezone: str = "UTC"
    # Other place names in the region too small to name (areas under k stores); scrubbed from text as "[place]".
    small_place_names: tuple[str, ...] = ()
    # Registry counts for the place-label rule (`anonymize.coarsen.place_level`): the region's ready stores, each
    # named area's, each region's of the association. None: not given (unit tests of the scrub only).
    region_store_count: int | None = None
    region_area_counts: tuple[int, ...] = ()
    association_name: str = ""
    association_region_counts: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        _freeze(self, "small_place_names", "region_area_counts", "association_region_counts")


@dataclass(frozen=True)
class Redaction:
    """One scrubbed part, for the store's own preview ("[store]" was "Quayside Jewellers").

    `original_span` is the text that was removed; it is the store's own words and must never leave the store's
    schema (see `BulletinDraft.shared_payload`). `start`/`end` locate `replacement` in the draft's text of `field`
    so the preview can mark it; for a removed plate the replacement is empty.
    """

    kind: str
    original_span: str
    replacement: str
    field: str
    start: int
    end: int


@dataclass(frozen=True)
class DraftWarning:
    """Something the store should know before it confirms; `message` is written for the person sharing."""

    code: str
    message: str


@dataclass(frozen=True)
class Segment:
    """A piece of a draft field for rendering a preview with autoescaping: plain text, or a marked redaction."""

    text: str
    redaction: Redaction | None = None


@dataclass(frozen=True)
class CoarseTime:
    """When, as coarse as the rules allow: the local day and part of day (alerts), and the ISO week (trends)."""

    day: date
    part_of_day: str
    iso_week: str

    @property
    def label(self) -> str:
        return f"{self.day:%a} {self.day.day} {self.day:%b %Y}, {self.part_of_day}"


@dataclass(frozen=True)
class CoarsePlace:
    region: str
    area: str | None

    @property
    def label(self) -> str:
        return f"{self.area}, {self.region}" if self.area else self.region


def _segments(text: str, redactions: tuple[Redaction, ...], field_name: str) -> list[Segment]:
    pieces: list[Segment] = []
    position = 0
    for redaction in sorted((r for r in redactions if r.field == field_name), key=lambda r: r.start):
        if redaction.start > position:
            pieces.append(Segment(text[position : redaction.start]))
        pieces.append(Segment(text[redaction.start : redaction.end], redaction))
        position = redaction.end
    if position < len(text):
        pieces.append(Segment(text[position:]))
    return pieces


@dataclass(frozen=True)
class BulletinDraft:
    """What a store's incident becomes: nothing in it names or locates the store.

    There is deliberately no store id or name here (source anonymity: the association publishes). `redactions`
    quote the store's own words for its preview only; `shared_payload()` is the part that may leave the schema.
    """

    tlp: TLP
    incident_type: str
    title: str
    narrative: str
    location_note: str
    place: CoarsePlace
    when: CoarseTime
    people: tuple[PersonDescription, ...]
    vehicles: tuple[VehicleDescription, ...]
    photos_allowed: bool
    redactions: tuple[Redaction, ...] = ()
    warnings: tuple[DraftWarning, ...] = ()
    # Name-like words the scrubber could not classify (`anonymize.names.NameFlag`), each with the store's choice.
    flags: tuple = ()
    # Red-flag codes, passed through as they are (`anonymize.red_flag_codes`): they identify no one.
    red_flags: tuple[str, ...] = ()

    @property
    def feed_publishable(self) -> bool:
        return self.tlp.feed_allowed

    @property
    def kept_flags(self) -> tuple:
        """The flagged words the store chose to publish as typed."""
        return tuple(f for f in self.flags if f.kept)

    def segments(self, field_name: str) -> list[Segment]:
        """The text of `field_name` ("narrative", "people[0].clothing", ...) split around its redactions."""
        return _segments(_field_value(self, field_name), self.redactions, field_name)

    def shared_payload(self) -> dict:
        """Everything that may be stored outside the store's schema: the draft without the redactions' originals."""
        return {
            "tlp": self.tlp.value,
            "incident_type": self.incident_type,
            "title": self.title,
            "narrative": self.narrative,
            "location_note": self.location_note,
            "region": self.place.region,
            "area": self.place.area,
            "day": self.when.day.isoformat(),
            "part_of_day": self.when.part_of_day,
            "iso_week": self.when.iso_week,
            "people": [asdict(person) for person in self.people],
            "vehicles": [asdict(vehicle) for vehicle in self.vehicles],
            "red_flags": list(self.red_flags),
            "photos_allowed": self.photos_allowed,
        }


@dataclass(frozen=True)
class NoteDraft:
    """A police liaison's trend bulletin or a store's relayed police note, scrubbed. `fields` keeps the caller's
    field names ("text" when a single text was given)."""

    tlp: TLP
    fields: dict[str, str]
    place: CoarsePlace
    redactions: tuple[Redaction, ...] = ()
    warnings: tuple[DraftWarning, ...] = ()

    @property
    def text(self) -> str:
        return self.fields["text"]

    @property
    def feed_publishable(self) -> bool:
        return self.tlp.feed_allowed

    def segments(self, field_name: str = "text") -> list[Segment]:
        return _segments(self.fields[field_name], self.redactions, field_name)

    def shared_payload(self) -> dict:
        return {"tlp": self.tlp.value, "region": self.place.region, "area": self.place.area, **self.fields}


def _field_value(draft: BulletinDraft, field_name: str) -> str:
    """Resolve "narrative", "people[1].clothing", "vehicles[0].plate" on a draft."""
    if "[" not in field_name:
        return getattr(draft, field_name)
    collection, rest = field_name.split("[", 1)
    index, attribute = rest.split("].", 1)
    return getattr(getattr(draft, collection)[int(index)], attribute)
