"""The anonymizer: a store's incident (or a police note) in, a bulletin draft that cannot be traced back out.

Every rule of ANONYMIZATION.md that concerns content lives here, in pure functions over plain dataclasses (no
Flask, no database), so the rules are tested on their own and a draft takes about a millisecond:

- source anonymity: a draft has no store id or name field at all; the association publishes it;
- identity scrub of every text field, from the store's own records plus patterns (`anonymize.scrub`);
- place and time coarsening with the `k` rule (`anonymize.coarsen`);
- plates only at TLP:AMBER or stricter, photos only at AMBER or stricter and only when the store ticked them;
- person descriptions only with two non-demographic descriptors;
- red flags pass through as codes only (`red_flag_codes`): a code names one of a fixed list of behaviours, never
  anything typed, so it cannot carry a name, a place or a time;
- the small-count rule for trend cells and base-5 rounding for TLP:CLEAR (`anonymize.cells`).

Callers build `StoreIdentity`, `IncidentFacts` and `PlaceContext` inside the store's request, call
`anonymize_incident`, show `draft.segments(...)` in the preview, and store only `draft.shared_payload()` outside
the store's schema.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace

from anonymize.cells import PublishedCells, TrendCell, cell_publishable, publishable_cells, round_base5
from anonymize.coarsen import (
    Level,
    PlaceHeld,
    coarsen_place,
    coarsen_time,
    held_reason,
    iso_week,
    part_of_day,
    place_level,
    place_names_to_scrub,
)
from anonymize.names import NameFlag, unknown_names
from anonymize.scrub import MARKERS, Scrubber, make_scrubber
from anonymize.scrub import words as scrub_words
from anonymize.types import (
    TLP,
    BulletinDraft,
    CoarsePlace,
    CoarseTime,
    DraftWarning,
    IncidentFacts,
    NoteDraft,
    PersonDescription,
    PlaceContext,
    Redaction,
    Segment,
    StoreIdentity,
    VehicleDescription,
)
from errors import DomainError

__all__ = [
    "NameFlag",
    "unknown_names",
    "flag_fields",
    "FLAGGED_FIELDS",
    "MARKERS",
    "Level",
    "PlaceHeld",
    "TLP",
    "BulletinDraft",
    "CoarsePlace",
    "CoarseTime",
    "DraftWarning",
    "IncidentFacts",
    "NONDEMOGRAPHIC_DESCRIPTORS",
    "NoteDraft",
    "NotPublishable",
    "PersonDescription",
    "PlaceContext",
    "PublishedCells",
    "Redaction",
    "Segment",
    "StoreIdentity",
    "TrendCell",
    "VehicleDescription",
    "anonymize_incident",
    "anonymize_police_note",
    "cell_publishable",
    "coarsen_place",
    "held_reason",
    "place_level",
    "coarsen_time",
    "ensure_feed_publishable",
    "iso_week",
    "part_of_day",
    "publishable_cells",
    "red_flag_codes",
    "reencode_photo",
    "round_base5",
]

# The descriptors that make a description specific enough to share (ANONYMIZATION.md rule 6); "vehicle" counts
# when the incident lists a described vehicle, since the logbook records vehicles per incident, not per person.
NONDEMOGRAPHIC_DESCRIPTORS = ("clothing", "build", "height", "behaviour", "vehicle", "asked_about")
MIN_DESCRIPTORS = 2
# A red-flag code's shape (`logbook.red_flags`, whose list the caller checks codes against): anything else, such
# as text typed into the field by a tampered client, is dropped rather than shared.
_RED_FLAG_CODE = re.compile(r"[a-z][a-z_]{1,29}")
_EMPTY_ANSWERS = frozenset({"", "-", "--", "?", "n/a", "na", "none", "unknown", "not sure", "no idea", "nil"})


_TLP_WARNINGS = {
    TLP.RED: DraftWarning(
        "tlp_red", "TLP:RED is for named recipients only (such as your police contact); it never goes to the feed."
    ),
    TLP.CLEAR: DraftWarning(
        "tlp_clear", "TLP:CLEAR is only for trend counts; choose TLP:GREEN or stricter to share a bulletin."
    ),
}


class NotPublishable(DomainError):
    """A draft whose TLP keeps it out of the feed (RED: named recipients only; CLEAR: trend counts only)."""


def red_flag_codes(codes: Iterable[str]) -> tuple[str, ...]:
    """The red-flag codes that may be shared: code-shaped values only, each once, in the order given."""
    return tuple(dict.fromkeys(c for c in codes if isinstance(c, str) and _RED_FLAG_CODE.fullmatch(c)))


def ensure_feed_publishable(draft: BulletinDraft | NoteDraft) -> None:
    """Raise `NotPublishable` unless the draft may go to the regional feed; call it before publishing."""
    if not draft.tlp.feed_allowed:
        raise NotPublishable(_TLP_WARNINGS[draft.tlp].message)


def _is_filled(value: str) -> bool:
    """A descriptor counts when it says something once markers and placeholders like "n/a" are left out."""
    text = value
    for marker in MARKERS.values():
        text = text.replace(marker, " ")
    text = " ".join(text.split()).strip(" .,;:").lower()
    return text not in _EMPTY_ANSWERS and sum(ch.isalnum() for ch in text) >= 2


def _scrub_fields(scrubber: Scrubber, values: Mapping[str, str]) -> tuple[dict[str, str], list[Redaction]]:
    out: dict[str, str] = {}
    redactions: list[Redaction] = []
    for name, value in values.items():
        out[name], found = scrubber.scrub(value or "", name)
        redactions += found
    return out, redactions


# The free-text fields where unknown names are looked for (descriptor fields hold brands and clothing, not names).
FLAGGED_FIELDS = ("title", "narrative", "location_note")


def flag_fields(texts: Mapping[str, str], *, keep_words: Iterable[str] = ()) -> list[NameFlag]:
    """Unknown names (`anonymize.names`) in already scrubbed texts, keyed by field name."""
    words = frozenset(word for text in keep_words for word in scrub_words(text or ""))
    return [flag for name, text in texts.items() for flag in unknown_names(text or "", name, keep_words=words)]


def anonymize_incident(
    facts: IncidentFacts,
    identity: StoreIdentity,
    place: PlaceContext,
    *,
    tlp: TLP | str = TLP.AMBER,
    share_photos: bool = False,
    keep_names: Iterable[str] = (),
) -> BulletinDraft:
    """Turn a store's incident into a bulletin draft following every content rule of ANONYMIZATION.md.

    Name-like words the scrubber cannot classify are flagged (`draft.flags`) and scrubbed as "[name]" unless the
    store chose to keep them (`keep_names`, the flags' texts): the safe default is to remove.

    Never raises for a RED or CLEAR label: the draft carries a warning and `feed_publishable` is False, so the
    store can still preview it (and a RED draft can still go to a named recipient); `ensure_feed_publishable`
    is the gate before the feed.
    """
    draft = _draft(facts, identity, place, tlp=tlp, share_photos=share_photos)
    # Descriptions of suspects and vehicles must stay (rule 2): their words are never flagged.
    descriptor_words = [getattr(v, name) for v in facts.vehicles for name in ("make", "model", "colour", "plate_state")]
    descriptor_words += [getattr(p, name) for p in facts.people for name in ("clothing", "asked_about")]
    kept = frozenset(keep_names)
    flags = flag_fields({name: getattr(draft, name) for name in FLAGGED_FIELDS}, keep_words=descriptor_words)
    removed = _nonblank_unique(f.text for f in flags if f.text not in kept)
    if removed:
        # Scrubbed as the store's own names are, in every field and spelling (possessives, parts of the name).
        identity = replace(identity, staff_names=(*identity.staff_names, *removed))
        draft = _draft(facts, identity, place, tlp=tlp, share_photos=share_photos)
    return replace(draft, flags=tuple(replace(f, kept=f.text in kept) for f in flags))


def _nonblank_unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v.strip()))


def _draft(
    facts: IncidentFacts,
    identity: StoreIdentity,
    place: PlaceContext,
    *,
    tlp: TLP | str,
    share_photos: bool,
) -> BulletinDraft:
    tlp = TLP.parse(tlp)
    scrubber = make_scrubber(
        (identity,),
        remove_plates=not tlp.keeps_plates,
        plates=[vehicle.plate for vehicle in facts.vehicles],
        place_names=place_names_to_scrub(place),
    )
    warnings: list[DraftWarning] = []
    if tlp in _TLP_WARNINGS:
        warnings.append(_TLP_WARNINGS[tlp])

    texts, redactions = _scrub_fields(
        scrubber, {"title": facts.title, "narrative": facts.narrative, "location_note": facts.location_note}
    )

    vehicles: list[VehicleDescription] = []
    removed_plates = 0
    for i, vehicle in enumerate(facts.vehicles):
        prefix = f"vehicles[{i}]."
        values, found = _scrub_fields(
            scrubber,
            {prefix + name: getattr(vehicle, name) for name in ("make", "model", "colour", "plate_state")},
        )
        redactions += found
        plate = vehicle.plate.strip()
        if plate and not tlp.keeps_plates:
            removed_plates += 1
            redactions.append(Redaction("plate", plate, "", prefix + "plate", 0, 0))
            plate = ""
        elif plate:
            plate, found = scrubber.scrub(plate, prefix + "plate", patterns=False)
            redactions += found
        vehicles.append(
            VehicleDescription(
                make=values[prefix + "make"],
                model=values[prefix + "model"],
                colour=values[prefix + "colour"],
                plate=plate,
                plate_state=values[prefix + "plate_state"],
            )
        )
    if removed_plates:
        warnings.append(
            DraftWarning(
                "plates_removed",
                f"Plate numbers are shared only at TLP:AMBER or stricter; {removed_plates} plate(s) left out.",
            )
        )

    has_vehicle = any(vehicle.is_described for vehicle in facts.vehicles)
    people: list[PersonDescription] = []
    for i, person in enumerate(facts.people):
        prefix = f"people[{i}]."
        names = ("clothing", "build", "height", "behaviour", "asked_about", "other_details")
        values, found = _scrub_fields(scrubber, {prefix + name: getattr(person, name) for name in names})
        filled = sum(_is_filled(values[prefix + name]) for name in names if name in NONDEMOGRAPHIC_DESCRIPTORS)
        if filled + has_vehicle < MIN_DESCRIPTORS:
            warnings.append(
                DraftWarning(
                    "person_dropped",
                    f"Person {i + 1} is left out: a description is shared only with at least two of clothing, "
                    "build, height, behaviour, vehicle and what they asked about.",
                )
            )
            continue
        # Redactions point at the person's position in the draft, which shifts when someone before was dropped.
        kept = f"people[{len(people)}]."
        redactions += [
            Redaction(r.kind, r.original_span, r.replacement, r.field.replace(prefix, kept, 1), r.start, r.end)
            for r in found
        ]
        people.append(PersonDescription(**{name: values[prefix + name] for name in names}))

    photos_allowed = share_photos and tlp.allows_photos
    if share_photos and not tlp.allows_photos:
        warnings.append(
            DraftWarning("photos_not_shared", "Photos are shared only at TLP:AMBER or stricter; they will be left out.")
        )
    elif photos_allowed:
        warnings.append(
            DraftWarning(
                "photos_check",
                "Photos are shared without their metadata (time, GPS position), but check that they do not show "
                "your shop's signage, layout or staff.",
            )
        )

    return BulletinDraft(
        tlp=tlp,
        incident_type=facts.incident_type,
        title=texts["title"],
        narrative=texts["narrative"],
        location_note=texts["location_note"],
        place=coarsen_place(place),
        when=coarsen_time(facts.occurred_at, place.timezone),
        people=tuple(people),
        vehicles=tuple(vehicles),
        photos_allowed=photos_allowed,
        redactions=tuple(redactions),
        warnings=tuple(warnings),
        red_flags=red_flag_codes(facts.red_flags),
    )


def anonymize_police_note(
    text: str | Mapping[str, str],
    identity: StoreIdentity | Iterable[StoreIdentity],
    place: PlaceContext,
    *,
    tlp: TLP | str = TLP.AMBER,
) -> NoteDraft:
    """Scrub a liaison's trend bulletin or a store's relayed police note with the same rules as an incident.

    `text` is one text (field "text") or a mapping of field names to texts (modus operandi, what to watch for,
    ...). `identity` is the store that told the liaison, or every store the liaison wants kept out of the text
    (for a regional bulletin, pass the identities of the region's stores).
    """
    tlp = TLP.parse(tlp)
    identities = (identity,) if isinstance(identity, StoreIdentity) else tuple(identity)
    scrubber = make_scrubber(identities, remove_plates=not tlp.keeps_plates, place_names=place_names_to_scrub(place))
    fields, redactions = _scrub_fields(scrubber, {"text": text} if isinstance(text, str) else dict(text))
    warnings = [_TLP_WARNINGS[tlp]] if tlp in _TLP_WARNINGS else []
    return NoteDraft(
        tlp=tlp, fields=fields, place=coarsen_place(place), redactions=tuple(redactions), warnings=tuple(warnings)
    )


def reencode_photo(data: bytes) -> bytes:
    """A shared photo's bytes, re-encoded from the pixels alone (no EXIF, GPS, XMP, ICC or comments).

    Stored photos were already re-encoded on upload; doing it again on the way out means a bulletin never depends
    on how an older upload was handled.
    """
    from security.uploads import check_image  # Pillow is only needed when photos are shared

    return check_image(data).data
