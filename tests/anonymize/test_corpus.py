"""The corpus test: no spelling of a store's own identity survives anywhere in its drafts; what other stores need
(suspect and vehicle details) does.

The check here is written independently of the scrubber: it normalises the draft (case, accents, punctuation,
"&"/"and") and looks for each forbidden term as a whole word, with and without spaces and with the usual
abbreviations, and for each store phone number by its digits.
"""

from __future__ import annotations

import dataclasses
import json
import re
import unicodedata

import pytest

from anonymize import TLP, anonymize_incident
from tests.anonymize.corpus import INCIDENTS, CorpusIncident

SWAPS = [("street", "st"), ("jewellers", "jewelers"), ("jewelry", "jewellery"), ("and", "&")]


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold().replace("’", "'").replace("&", " and "))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def needle_forms(term: str) -> set[str]:
    forms = {normalise(term)}
    for long, short in SWAPS:
        forms |= {f" {form} ".replace(f" {long} ", f" {normalise(short) or 'and'} ").strip() for form in forms}
    return {form for form in forms if form}


def leaks(text: str, forbidden: tuple[str, ...], phones: tuple[str, ...]) -> list[str]:
    spaced = f" {normalise(text)} "
    squeezed = spaced.replace(" ", "")
    found = []
    for term in forbidden:
        for form in needle_forms(term):
            compact = form.replace(" ", "")
            if f" {form} " in spaced or (len(compact) >= 6 and compact in squeezed):
                found.append(term)
    for phone in phones:
        core = re.sub(r"\D", "", phone)[-8:]
        runs = re.findall(r"[\d+(][\d\s().+/-]*\d", text)
        if any(core in re.sub(r"\D", "", run) for run in runs):
            found.append(phone)
    return found


def all_text(draft) -> str:
    """Every string of the draft except the redactions (the store's own preview quotes its words on purpose)."""
    outside = {f.name: getattr(draft, f.name) for f in dataclasses.fields(draft) if f.name != "redactions"}
    return json.dumps(
        outside,
        default=lambda value: dataclasses.asdict(value) if dataclasses.is_dataclass(value) else str(value),
        ensure_ascii=False,
    ) + json.dumps(draft.shared_payload(), ensure_ascii=False)


def draft_fields_text(draft) -> str:
    parts = [draft.title, draft.narrative, draft.location_note]
    parts += [value for person in draft.people for value in dataclasses.astuple(person)]
    parts += [value for vehicle in draft.vehicles for value in dataclasses.astuple(vehicle)]
    return "\n".join(parts)


def test_the_corpus_is_big_enough():
    assert len(INCIDENTS) >= 25
    assert {incident.store.identity.name for incident in INCIDENTS} and all(i.must_survive for i in INCIDENTS)


def test_the_checker_would_catch_a_leak():
    """The check itself must work: the raw incidents leak, in the spellings the corpus uses."""
    caught = [
        i.key
        for i in INCIDENTS
        if leaks(
            i.facts.title + " " + i.facts.narrative + " " + i.facts.location_note,
            i.store.forbidden,
            i.store.identity.phones,
        )
    ]
    assert len(caught) == len(INCIDENTS)


@pytest.mark.parametrize("tlp", [TLP.AMBER, TLP.GREEN])
@pytest.mark.parametrize("incident", INCIDENTS, ids=lambda incident: incident.key)
def test_no_identity_survives_and_descriptions_do(incident: CorpusIncident, tlp: TLP):
    store = incident.store
    draft = anonymize_incident(incident.facts, store.identity, store.place, tlp=tlp)

    assert leaks(all_text(draft), store.forbidden, store.identity.phones) == []
    assert draft.redactions, "each corpus incident names its store somewhere"

    kept = draft_fields_text(draft)
    for detail in incident.must_survive:
        assert detail in kept
    squeezed = normalise(all_text(draft)).replace(" ", "")
    for plate in incident.plates:
        if tlp.keeps_plates:
            assert plate in kept
        else:
            assert normalise(plate).replace(" ", "") not in squeezed


@pytest.mark.parametrize("incident", INCIDENTS, ids=lambda incident: incident.key)
def test_redactions_mark_exactly_what_was_replaced(incident: CorpusIncident):
    store = incident.store
    draft = anonymize_incident(incident.facts, store.identity, store.place)
    for redaction in draft.redactions:
        text = "".join(segment.text for segment in draft.segments(redaction.field))
        assert text[redaction.start : redaction.end] == redaction.replacement
    for name in ("title", "narrative", "location_note"):
        assert "".join(segment.text for segment in draft.segments(name)) == getattr(draft, name)
