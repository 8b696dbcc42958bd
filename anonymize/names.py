"""Unknown names: name-like words the scrubber could not classify, flagged to the store and the moderator.

The scrubber removes the names it knows (the store's own records) and the shapes it can recognise (phones, emails,
addresses, a name after a police rank). A name it has never seen ("asked Sam Patel when the safe is opened") would
otherwise pass silently. Rule (unknown names): in the text that is left after the scrub, a run of one to three
Capitalised words is flagged as a possible name when
- it is not at a sentence start, or it is but holds at least two such words ("Sam Patel asked ...": a sentence's
  first word alone is capitalised by grammar, not because it is a name);
- none of its words is an ordinary word (`anonymize.scrub.COMMON_WORDS`, a title such as "Mr", a weekday or month)
  or one of the small lists below: places and directions, vehicle makes and models, colours, jewellery and watch
  brands, and the incident's own vehicle and suspect descriptor words (`keep_words`: make, model, colour, clothing,
  what they asked about — descriptions must stay) — the run is cut at such a word, so "Sam Patel from Ford" flags
  "Sam Patel" only, and a capitalised word right after a vehicle make or a brand is its model ("Ford Focus",
  "Rolex Submariner"), and a single one after a place preposition ("a crew from Oakland") is a place;
- it is not written in capitals only (acronyms: CCTV, VW, UK) and holds no digit;
- the field is not a title written in Title Case (most of its words capitalised), where capitals say nothing.
Runs longer than three words are headings or titles, not names, and are not flagged. It is deliberately
conservative: a flag costs the store one click, a missed name is published. What it cannot see: a name written in
lower case ("asked sam"), a name that is an ordinary word ("Rose", "Hunter" alone at a sentence start), and a
first word at a sentence start on its own ("Sam asked ..."). The preview says so: we can't recognise every name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from anonymize.scrub import _TITLES, COMMON_WORDS, fold

# Kept small on purpose: each word here is one that would otherwise be flagged in an ordinary bulletin.
_CALENDAR = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat sun january "
    "february march april may june july august september october november december jan feb mar apr jun jul aug sep "
    "sept oct nov dec christmas easter boxing eve new year bank holiday".split()
)
_PLACE_WORDS = frozenset(
    "north south east west northern southern eastern western central upper lower high street road lane avenue "
    "park station market square bridge town city county district estate retail shopping centre center arcade "
    "precinct england scotland wales ireland britain uk europe".split()
)
_VEHICLE_MAKES = frozenset(
    "ford vauxhall opel volkswagen vw audi bmw mercedes benz toyota honda nissan mazda kia hyundai peugeot renault "
    "citroen fiat skoda seat volvo saab mini land range rover jaguar lexus tesla suzuki mitsubishi subaru dacia "
    "chevrolet chevy dodge jeep chrysler cadillac lincoln buick gmc porsche alfa romeo smart yamaha kawasaki ducati "
    "triumph harley davidson vespa transit sprinter".split()
)
_VEHICLE_MODELS = frozenset(
    "focus fiesta mondeo kuga golf polo passat corsa astra insignia civic corolla yaris prius qashqai juke micra "
    "clio megane octavia fabia transit sprinter berlingo partner caddy discovery defender evoque sportage tucson "
    "leon ibiza cooper hatchback saloon estate suv pickup pick".split()
)
_COLOURS = frozenset(
    "black white grey gray silver red blue green yellow orange purple pink brown beige cream gold navy maroon "
    "burgundy dark light bright pale metallic".split()
)
_BRANDS = frozenset(
    "rolex omega cartier tiffany pandora breitling tag heuer patek philippe audemars piguet tudor longines seiko "
    "citizen casio swatch bulgari bvlgari chopard chanel gucci hermes louis vuitton swarovski apple iphone samsung "
    "android visa mastercard amex paypal whatsapp facebook instagram google barbour burberry nike adidas puma reebok "
    "moncler lacoste ralph lauren canada goose stone island".split()
)
_MAKERS = _VEHICLE_MAKES | _BRANDS  # a capitalised word right after one is a model ("Ford Focus", "Rolex Daytona")
# A single capitalised word after one of these is a place ("a crew from Oakland", "seen in Leeds").
_PLACE_PREPOSITIONS = frozenset("from in near towards toward around outside via across into".split())
_NEVER_NAMES = COMMON_WORDS | _TITLES | _CALENDAR | _PLACE_WORDS | _VEHICLE_MAKES | _VEHICLE_MODELS | _COLOURS | _BRANDS

_TOKEN = re.compile(r"[^\W\d_][\w'’-]*|\d\w*|[.!?;:\n\[\]()\"“”]")
_CAPITALISED = re.compile(r"[A-Z][a-z'’-]*[a-z]$|(?:Mc|Mac|O['’])[A-Z][a-z]+$")
_SENTENCE_END = frozenset('.!?;:\n"“”(')
MAX_RUN = 3


@dataclass(frozen=True)
class NameFlag:
    """A name-like word (or run of words) the scrubber could not classify, in the scrubbed text of `field`.

    `kept` is the store's choice: False (the default) scrubs it as "[name]", True publishes it as typed.
    """

    text: str
    field: str
    start: int
    end: int
    kept: bool = False


def _is_title_case(text: str) -> bool:
    words = [w for w in re.findall(r"[^\W\d_]+", text) if len(w) > 3]
    return len(words) >= 2 and sum(w[0].isupper() for w in words) * 2 > len(words)


def unknown_names(text: str, field: str, *, keep_words: frozenset[str] = frozenset()) -> list[NameFlag]:
    """Name-like runs in `text` (already scrubbed) that no rule classified; see the module docstring."""
    if not text or (field == "title" and _is_title_case(text)):
        return []
    flags: list[NameFlag] = []
    run: list[re.Match[str]] = []
    run_at_start = False
    run_after_place = False
    after_place = False
    at_start = True
    after_make = False

    def close() -> None:
        words = run[1:] if run_at_start and len(run) == 1 else run
        if len(run) == 1 and run_after_place:
            words = []  # "a crew from Oakland": a place, not a person
        if words and len(run) <= MAX_RUN:
            start, end = words[0].start(), words[-1].end()
            flags.append(NameFlag(text[start:end], field, start, end))
        run.clear()

    for match in _TOKEN.finditer(text):
        token = match.group()
        if token in _SENTENCE_END or token in "[]":
            close()
            at_start = token in _SENTENCE_END
            after_make = after_place = False
            continue
        folded = fold(token.rstrip("'’").removesuffix("'s").removesuffix("’s"))
        name_like = (
            bool(_CAPITALISED.match(token))
            and folded not in _NEVER_NAMES
            and folded not in keep_words
            and not after_make
            and len(folded) >= 2
        )
        if name_like:
            if not run:
                run_at_start = at_start
                run_after_place = after_place
            run.append(match)
        else:
            close()
        after_make = folded in _MAKERS
        after_place = folded in _PLACE_PREPOSITIONS
        at_start = False
    close()
    return flags
