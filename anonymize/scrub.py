"""Identity scrub of free text: the store's own terms in their common variants, plus patterns.

Why a "skeleton": people write the same name many ways ("Quayside Jewellers", "QUAYSIDE jewelers", "Quay-side",
"Quayside's", "O'Neill"/"ONeill"/"O Neill", "Smith & Sons"/"Smith and Sons", "Café"/"Cafe"). Rather than guess
a regex per spelling, each text is reduced to a skeleton: its words, case-folded, accents removed, "&" read as
"and", joined with no separators. Each identity term is reduced the same way, once per abbreviation variant
("Harbour St"/"Harbour Street"), and looked up only where a word starts and ends, so "Lee" never matches inside
"sleeve". Phone numbers are compared on digits alone, whatever the formatting.

Patterns then catch what the store's records cannot list: any phone number, email, URL, social media handle,
street address, case/report number, clock time, coordinates, and a police officer's name after a rank. (Postcodes
come only from the store's records: a generic postcode pattern also eats car models such as "X5 4WD".)
Plates are removed below TLP:AMBER: the incident's known plates anywhere in the text, any plate written after
"plate"/"reg", and bare plates in the common national shapes.

Precision matters as much as recall (a narrative where "staff" became "[name]" is useless to the other stores, and
teaches people to skim past markers). Display names in the store's records are often roles, not names ("Staff at
Bellamy's", "Front Counter", "Manager"): `COMMON_WORDS` below are never name terms on their own, whatever record
they come from, and a person's name is trimmed of them before its parts become terms. Beyond that, the one place we
hold back is a single-word name that is also an ordinary word ("Ruby", "Brown", "Rose", "Do"): alone, it is
scrubbed only when written with a capital, so "a ruby ring" or "brown jacket" in a suspect's description survives.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import product

from anonymize.types import Redaction, StoreIdentity

MARKERS = {
    "store": "[store]",
    "address": "[address]",
    "place": "[place]",
    "phone": "[phone]",
    "email": "[email]",
    "url": "[link]",
    "name": "[name]",
    "case": "[case no.]",
    "plate": "[plate]",
    "time": "[time]",
    "location": "[location]",
}

# Words that mean the same thing in an address or a trade name; any member stands for any other.
_EQUIVALENT_WORDS = [
    {"street", "st", "str"},
    {"saint", "st"},
    {"road", "rd"},
    {"avenue", "ave", "av"},
    {"lane", "ln"},
    {"drive", "dr"},
    {"boulevard", "blvd"},
    {"court", "ct"},
    {"place", "pl"},
    {"square", "sq"},
    {"terrace", "terr", "tce"},
    {"crescent", "cres"},
    {"highway", "hwy"},
    {"parade", "pde"},
    {"mount", "mt"},
    {"north", "n"},
    {"south", "s"},
    {"east", "e"},
    {"west", "w"},
    {"jewellers", "jewelers", "jewellery", "jewelry", "jeweller", "jeweler"},
    {"company", "co"},
    {"limited", "ltd"},
    {"brothers", "bros"},
    {"incorporated", "inc"},
]
_ALTERNATIVES: dict[str, tuple[str, ...]] = {}
for _group in _EQUIVALENT_WORDS:
    for _word in _group:
        _ALTERNATIVES[_word] = tuple(sorted(set(_ALTERNATIVES.get(_word, (_word,))) | _group))

# Words that say what a store sells or what kind of business it is; what is left of a name is its distinctive core.
_TRADE_WORDS = frozenset(
    "the and of jewellers jewelers jewellery jewelry jeweller jeweler jewels jewel goldsmiths goldsmith silversmiths "
    "silversmith gold silver diamond diamonds gems gem watches watch fine co company ltd limited inc llc sons son "
    "daughters bros brothers boutique shop store studio atelier gallery house designs design collection sohne fils "
    "figli hijos".split()
)
_KIND_WORDS = frozenset(
    "jewellers jewelers jewellery jewelry jeweller jeweler jewels goldsmiths silversmiths diamonds gems watches "
    "boutique atelier gallery designs collection co company ltd limited inc llc fine gold silver diamond and of "
    "the".split()
)
_TITLES = frozenset(
    "mr mrs ms miss mx dr pc dc ds di dci wpc sgt sergeant constable detective det inspector insp officer deputy "
    "sheriff lt lieutenant cpl corporal trooper agent chief senior sen const leading special superintendent supt "
    "probationary".split()
)
# A one-word name that is also an ordinary word is scrubbed alone only when capitalised (see module docstring).
_ORDINARY_WORDS = frozenset(
    "rose ruby pearl jade amber crystal opal coral goldie sterling jewel diamond gold silver brown black white green "
    "grey gray red blue young long short tall small price hall king hill wood lane bell may june april august summer "
    "will mark bill pat rob sue dawn faith hope joy grace frank guy ray bob drew wade cash chase hunter page rich sky "
    "storm penny ginger olive violet hazel ivy lily iris daisy holly robin jay wren fox bird baker cook carter mason "
    "miller mint sage stone rock day night north south west east cross bay park street road do an so to no go he me "
    "we be by on in at it is or of as up us ma pa art kit dee sun tan cole glass reading bath mobile sale deal room "
    "corner centre center time works exchange vault box cabinet treasure treasures crown chain link ring rings".split()
)
# Rule (scrubber precision): ordinary English words and the role, place and trade nouns of a shop's security log
# are never a name term on their own, even when a display name is made of them ("Staff at Bellamy's" gives only
# "Bellamy"; "Front Counter", "Manager", "Owner Team" give nothing). Deliberately left out: words that are also
# common surnames or given names (Day, Cash, Constable, Porter, Ward, Rose, ...): those stay capital-only through
# `_ORDINARY_WORDS`.
COMMON_WORDS = frozenset(
    # function words
    "a an the and or but nor of at in on to for from by with as is it its be been are was were am do does did so "
    "if then than that this these those there here who whom whose which what when where why how all any each every "
    "both either neither no not none one two three four first second third last next other another some same such "
    "own my me mine i we our ours us you your yours he she his her hers him they them their theirs up out off over "
    "into onto upon near front back before after between behind under above below inside outside across along "
    "around through via per just only also very too new old main general "
    # people and roles in a shop's security log
    "staff staffer staffers member members owner owners manager managers management director directors assistant "
    "assistants associate associates employee employees colleague colleagues team teams crew shift shifts "
    "supervisor supervisors keyholder keyholders guard guards security officer officers police policing sergeant "
    "detective inspector duty desk reception receptionist admin administrator cashier cashiers sales salesperson "
    "seller buyer buyers customer customers client clients visitor visitors public person people man men woman "
    "women lady ladies suspect suspects driver drivers courier couriers delivery deliveries neighbour neighbours "
    "neighbor neighbors partner partners family council landlord insurer insurance company alarm alarms monitoring "
    "service services support account accounts deputy senior junior trainee apprentice night morning evening "
    "weekend watch contact contacts services everyone someone nobody anyone "
    # places and things in and around a shop
    "store stores shop shops branch showroom floor counter counters showcase showcases cabinet cabinets display "
    "displays window windows door doors safe safes vault room rooms office offices workshop till tills register "
    "entrance exit side rear upstairs downstairs mall centre center van car vehicle camera cameras cctv "
    "crime prevention neighbourhood neighbourhoods neighborhood safer safety training liaison unit response station "
    "control "
    "opening closing open closed unknown tbc".split()
)
_WEBMAIL = frozenset("gmail googlemail outlook hotmail live msn yahoo icloud me aol protonmail proton gmx mail".split())
_GENERIC_MAILBOXES = frozenset("info sales contact hello shop store enquiries inquiries office admin mail".split())
_STREET_TYPE_WORDS = frozenset(
    "street st str road rd avenue ave av lane ln drive dr boulevard blvd court ct place pl square sq terrace terr tce "
    "crescent cres highway hwy parade pde way close row walk quay".split()
)
_SPECIAL_LETTERS = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"})

_WORD = re.compile(r"[^\W_]+|&")


def fold(word: str) -> str:
    """Case-fold, strip accents and read "&" as "and": the form both texts and terms are compared in."""
    if word == "&":
        return "and"
    if word.isascii():
        return word.lower()
    word = unicodedata.normalize("NFKD", word.casefold().translate(_SPECIAL_LETTERS))
    return "".join(ch for ch in word if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    return [fold(match.group()) for match in _WORD.finditer(text)]


@dataclass(frozen=True)
class Term:
    """One spelling skeleton of an identity term. `capital_only`: see `_ORDINARY_WORDS`."""

    skeleton: str
    kind: str
    capital_only: bool = False


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str


# ---------------------------------------------------------------------------------------------------------------
# Identity terms


def _variants(tokens: list[str], limit: int = 64) -> list[str]:
    """Skeletons for every abbreviation choice ("harbour st" → harbourst, harbourstreet, harbourstr, ...)."""
    choices = [_ALTERNATIVES.get(token, (token,)) for token in tokens]
    out: list[str] = []
    for combo in product(*choices):
        out.append("".join(combo))
        if len(out) >= limit:
            break
    return out


def _phrase_terms(text: str, kind: str, *, drop_leading_the: bool = True) -> list[Term]:
    tokens = words(text)
    if drop_leading_the and len(tokens) > 1 and tokens[0] == "the":
        tokens = tokens[1:]
    if not tokens:
        return []
    single_ordinary = len(tokens) == 1 and tokens[0] in _ORDINARY_WORDS
    return [Term(skeleton, kind, single_ordinary) for skeleton in _variants(tokens) if len(skeleton) >= 2]


def _store_name_terms(name: str) -> list[Term]:
    """The full name in its variants; its distinctive core, without the trade words around it ("Quayside" of
    "Quayside Jewellers", "Wattle & Bloom" of "Wattle & Bloom Jewellery"), which is how people refer to a shop;
    and, written with a capital, each longer word of a several-word core ("Wattle's"). Also the name without the
    words that say what it sells ("Lindqvist & Söhne" of "Lindqvist & Söhne Jewelers")."""
    terms = _phrase_terms(name, "store")
    tokens = words(name)
    short = list(tokens)
    while len(short) > 1 and short[-1] in _KIND_WORDS:
        short.pop()
    if short != tokens and sum(map(len, short)) >= 3:
        terms += [Term(s, "store", len(short) == 1 and short[0] in _ORDINARY_WORDS) for s in _variants(short)]
    distinctive = [i for i, token in enumerate(tokens) if token not in _TRADE_WORDS]
    if not distinctive:
        return terms
    core = tokens[distinctive[0] : distinctive[-1] + 1]
    if sum(len(token) for token in core) >= 3:
        terms += [Term(s, "store", len(core) == 1 and core[0] in _ORDINARY_WORDS) for s in _variants(core)]
    if len(distinctive) > 1:
        words_alone = [tokens[i] for i in distinctive if len(tokens[i]) >= 5 and tokens[i] not in COMMON_WORDS]
        terms += [Term(word, "store", True) for word in words_alone]
    # "B&S" for "Bellamy & Sons": the initials around an ampersand, as a shop's regulars shorten it.
    # (`words` reads "&" as "and".)
    for i, token in enumerate(tokens[1:-1], start=1):
        if token == "and" and "&" in name and tokens[i - 1] != "and" and tokens[i + 1] != "and":
            terms.append(Term(f"{tokens[i - 1][0]}and{tokens[i + 1][0]}", "store", True))
    return terms


def _is_common(tokens: list[str]) -> bool:
    """A run of words that is only ordinary words ("front counter", "member of staff") is never a name."""
    return all(token in COMMON_WORDS for token in tokens)


def _name_part(tokens: list[str], *, min_length: int) -> list[Term]:
    skeleton = "".join(tokens)
    if len(skeleton) < min_length or _is_common(tokens):
        return []
    ordinary = len(tokens) == 1 and tokens[0] in _ORDINARY_WORDS
    return [Term(skeleton, "name", ordinary)]


def _person_terms(full_name: str) -> list[Term]:
    """A person's name: full, first + last, initial + surname, surname alone, first name alone when it has at least
    three letters, and each part of a hyphenated name."""
    parts = [words(part) for part in full_name.split()]
    parts = [part[:-1] if len(part) > 1 and part[-1] == "s" else part for part in parts if part]  # "Bellamy's"
    while len(parts) > 1 and len(parts[0]) == 1 and parts[0][0] in _TITLES:
        parts = parts[1:]
    # The whole name as written stays a term when it holds a real name ("Minnie Driver", "Staff at Bellamy's"):
    # it only ever matches the whole phrase. Its parts are taken after trimming the ordinary words around it.
    whole = [Term("".join(token for part in parts for token in part), "name")] if len(parts) > 1 else []
    while parts and (_is_common(parts[0]) or (len(parts[0]) == 1 and parts[0][0] in _TITLES)):
        parts = parts[1:]
    while parts and _is_common(parts[-1]):
        parts = parts[:-1]
    if not parts:
        return []
    if len(parts) == 1:  # only one name on record: treat it as a first name, and two letters only with a capital
        skeleton = "".join(parts[0])
        single = [Term(skeleton, "name", skeleton in _ORDINARY_WORDS or len(skeleton) < 3)] if len(skeleton) > 1 else []
        return whole + single
    terms = whole + [Term("".join(token for part in parts for token in part), "name")]
    first, last = parts[0], parts[-1]
    terms += _name_part(first, min_length=3)
    terms += [t for token in first if len(first) > 1 for t in _name_part([token], min_length=3)]
    surname = [token for part in parts[1:] for token in part]
    terms += _name_part(surname, min_length=2)
    terms += _name_part(last, min_length=2)
    terms += [t for token in last if len(last) > 1 for t in _name_part([token], min_length=3)]
    terms.append(Term("".join(first) + "".join(last), "name"))
    terms.append(Term(first[0][0] + "".join(surname), "name"))
    return terms


def _address_terms(identity: StoreIdentity) -> list[Term]:
    terms: list[Term] = []
    if identity.street:
        street = words(identity.street)
        number = words(identity.street_number)
        terms += [Term(s, "address") for s in _variants(number + street) + _variants(street + number)]
        street_core = [token for token in street if token not in _STREET_TYPE_WORDS]
        if number and street_core and street_core != street:
            terms.append(Term("".join(number + street_core), "address"))  # "1450 Market" for 1450 Market Street
        terms += _phrase_terms(identity.street, "address", drop_leading_the=False)
    if identity.postcode:
        terms.append(Term("".join(words(identity.postcode)), "address"))
    if identity.city:
        terms += _phrase_terms(identity.city, "place", drop_leading_the=False)
    return terms


def _website_terms(website: str) -> list[Term]:
    """The site's domain however it is written ("www.bellamys.example", "bellamys.example/contact") and its name,
    which is usually the shop's ("Bellamys")."""
    host = re.sub(r"^[a-z][a-z0-9+.-]*://", "", website.strip(), flags=re.I).split("/", 1)[0].split("@")[-1]
    host = host.split(":", 1)[0].lower()
    labels = [label for label in host.split(".") if label]
    if labels and labels[0] == "www":
        labels = labels[1:]
    if len(labels) < 2:
        return []
    terms = [Term("".join(words(".".join(labels))), "url")]
    brand = "".join(words(labels[0]))
    if len(brand) >= 4 and brand not in _WEBMAIL:
        terms.append(Term(brand, "store"))
    return terms


def _email_terms(email: str) -> list[Term]:
    """Obfuscated spellings ("info at quayside dot com") and the domain's name, which is usually the shop's."""
    local, _, domain = email.strip().partition("@")
    if not domain:
        return []
    labels = [words(label) for label in domain.split(".")]
    terms = [Term("".join(words(local)) + "at" + "dot".join("".join(label) for label in labels), "email")]
    brand = "".join(labels[0]) if labels else ""
    if len(brand) >= 4 and brand not in _WEBMAIL:
        terms.append(Term(brand, "store"))
    mailbox = "".join(words(local))
    if len(mailbox) >= 4 and mailbox not in _GENERIC_MAILBOXES and brand in _WEBMAIL:
        terms.append(Term(mailbox, "email"))
    return terms


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def phone_core(phone: str) -> str:
    """The part of a number that survives every way of writing it: the last 8 digits (country and trunk prefixes
    such as +44 / 0 / 001 vary); short numbers are kept whole."""
    digits = _digits(phone)
    return digits[-8:] if len(digits) >= 8 else digits


@dataclass(frozen=True)
class IdentityIndex:
    """All identity terms of one or more stores, bucketed by their first two letters for a fast lookup."""

    buckets: dict[str, tuple[Term, ...]]
    phone_cores: tuple[str, ...]


@lru_cache(maxsize=512)
def build_index(identities: tuple[StoreIdentity, ...], extra: tuple[tuple[str, str], ...] = ()) -> IdentityIndex:
    """Compile identity terms once per (identities, extra terms); `extra` is (kind, text) pairs such as plates."""
    terms: list[Term] = []
    phones: list[str] = []
    for identity in identities:
        for store_name in (identity.name, *identity.trade_names):
            if store_name.strip():
                terms += _store_name_terms(store_name)
        terms += _address_terms(identity)
        for email in identity.emails:
            terms += _email_terms(email)
        for website in identity.websites:
            terms += _website_terms(website)
        for line in identity.address_lines:
            terms += _phrase_terms(line, "address", drop_leading_the=False)
        for person in (*identity.staff_names, *identity.keyholder_names, *identity.officer_names):
            terms += _person_terms(person)
        for case_number in identity.case_numbers:
            skeleton = "".join(words(case_number))
            if len(skeleton) >= 3:
                terms.append(Term(skeleton, "case"))
        phones += [core for core in map(phone_core, identity.phones) if len(core) >= 5]
    for kind, text in extra:
        if kind == "place":
            terms += _phrase_terms(text, "place", drop_leading_the=False)
        else:
            skeleton = "".join(words(text))
            if len(skeleton) >= 2:
                terms.append(Term(skeleton, kind))
    buckets: dict[str, list[Term]] = {}
    seen: set[tuple[str, str, bool]] = set()
    for term in terms:
        key = (term.skeleton, term.kind, term.capital_only)
        if len(term.skeleton) >= 2 and key not in seen:
            seen.add(key)
            buckets.setdefault(term.skeleton[:2], []).append(term)
    return IdentityIndex({key: tuple(value) for key, value in buckets.items()}, tuple(sorted(set(phones))))


def _identity_spans(text: str, indexes: tuple[IdentityIndex, ...]) -> list[Span]:
    matches = list(_WORD.finditer(text))
    if not matches:
        return []
    folded = [fold(match.group()) for match in matches]
    starts: list[int] = []  # skeleton offset where each word starts
    offset = 0
    for word in folded:
        starts.append(offset)
        offset += len(word)
    ends = {start + len(word) for start, word in zip(starts, folded, strict=True)}
    skeleton = "".join(folded)
    spans: list[Span] = []
    for index in indexes:
        for i, at in enumerate(starts):
            for term in index.buckets.get(skeleton[at : at + 2], ()):
                stop = at + len(term.skeleton)
                if not skeleton.startswith(term.skeleton, at):
                    continue
                first = matches[i]
                if stop not in ends:
                    # "Bellamys", "Kesslers": a possessive written without its apostrophe, on a name with a capital.
                    if not (stop + 1 in ends and skeleton[stop] == "s" and _takes_plain_s(term, first.group())):
                        continue
                    stop += 1
                if term.capital_only and not first.group()[0].isupper():
                    continue
                last = matches[bisect_right(starts, stop - 1) - 1]
                spans.append(Span(first.start(), last.end(), term.kind))
        if index.phone_cores:
            spans += _known_phone_spans(text, index.phone_cores)
    return spans


def _takes_plain_s(term: Term, first_word: str) -> bool:
    """Whether "<term>s" is the term in a possessive written without an apostrophe: a store, place or person name
    of four letters or more, written with a capital (so "marks" is not "Mark's")."""
    return term.kind in ("store", "place", "name") and len(term.skeleton) >= 4 and first_word[:1].isupper()


# A run of digits written the way phone numbers are (spaces, dots, dashes, slashes, brackets, a leading +).
_PHONE_RUN = re.compile(r"(?<![\w+])[+(]?\d[\d \t().\-/]{3,}\d(?![\w])")
_DATE_LIKE = re.compile(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}(?![\d])")


def _phone_start(match: re.Match[str]) -> int:
    """A run that opens a bracket it never closes ("(01632 960123)") leaves the bracket to the sentence."""
    run = match.group()
    return match.start() + 1 if run.startswith("(") and ")" not in run else match.start()


def _known_phone_spans(text: str, cores: tuple[str, ...]) -> list[Span]:
    spans = []
    for match in _PHONE_RUN.finditer(text):
        digits = _digits(match.group())
        if any(core in digits for core in cores):
            spans.append(Span(_phone_start(match), match.end(), "phone"))
    return spans


# ---------------------------------------------------------------------------------------------------------------
# Patterns

# Full words end at the word; abbreviations take their dot ("St."), so a sentence's own full stop is left alone.
_STREET_TYPES = (
    r"(?:Street|Road|Avenue|Lane|Drive|Boulevard|Way|Place|Court|Square|Terrace|Crescent|Close|Parade|Highway|Row|"
    r"Walk|Quay|Arcade|Gardens|Hill|Wharf)\b|(?:St|Str|Rd|Ave|Ln|Dr|Blvd|Pl|Ct|Sq|Hwy)\b\.?"
)
_TLDS = r"com|net|org|info|biz|io|co|uk|us|ca|au|nz|ie|de|fr|nl|be|ch|at|eu|shop|store|jewelry|jewellery|online|site"
_RANKS = (
    r"PC|DC|DS|DI|DCI|WPC|PCSO|Sgt\.?|Sergeant|Constable|Detective|Det\.?|Inspector|Insp\.?|Officer|Deputy|Trooper|"
    r"Lt\.?|Lieutenant|Cpl\.?|Corporal|Sheriff|Agent|Ofc\.|Ofcr\.?|Offr\.?|Cst\.|Const\.|Supt\.?|Superintendent|"
    r"Cmdr\.?|Commander|Capt\.?|Captain|Tpr\.|Dep\.|Chief"
)
_ANY_DIGIT = re.compile(r"[0-9]")

# (kind, pattern, trigger). A trigger is a cheap search (it starts with a literal or a character class, which the
# regex engine scans for quickly); the full pattern runs only when the trigger finds something, which keeps a long
# narrative fast. Keyword-led patterns use a look-behind rather than \b for the same reason.
_PATTERNS: list[tuple[str, re.Pattern[str], re.Pattern[str] | None]] = [
    ("email", re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+"), re.compile("@")),
    (
        "email",
        re.compile(r"[\w.+-]+\s*(?:\[at\]|\(at\))\s*[\w-]+(?:\s*(?:\[dot\]|\(dot\)|\.)\s*[\w-]+)+", re.I),
        re.compile(r"[\[(]at[\])]", re.I),
    ),
    (
        "email",
        re.compile(rf"\b[\w.+-]+ at [\w-]+(?: dot [\w-]+)*(?: dot (?:{_TLDS}))\b", re.I),
        re.compile(" dot ", re.I),
    ),
    (
        "url",
        re.compile(r"\b(?:https?://|www\.)[^\s<>\"']+[^\s<>\"'.,;:!?)\]]", re.I),
        re.compile(r"https?:|www\.", re.I),
    ),
    (
        "url",
        re.compile(
            rf"\b[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)*\.(?:{_TLDS})\b(?:/(?:[^\s<>\"']*[^\s<>\"'.,;:!?)\]])?)?",
            re.I,
        ),
        re.compile(rf"\.(?:{_TLDS})\b", re.I),
    ),
    ("url", re.compile(r"(?<![\w@.])@[A-Za-z0-9_][A-Za-z0-9_.]{2,}[A-Za-z0-9_]"), re.compile("@")),  # handles
    # Any other domain, on a top-level domain the list above does not know (".example", ".jewelers"): a name of two
    # letters or more, a dot, and a lower-case ending of two letters or more ("Mr.Smith" and "e.g." are not).
    (
        "url",
        re.compile(
            r"(?<![\w@.])[A-Za-z0-9][A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[a-z]{2,24}\b(?:/[^\s<>\"']*[^\s<>\"'.,;:!?)\]])?"
        ),
        re.compile(r"\w\.[a-z][a-z]"),
    ),
    ("location", re.compile(r"-?\b\d{1,3}\.\d{3,}\s*,\s*-?\d{1,3}\.\d{3,}\b"), re.compile(r"\d\.\d\d\d")),
    ("location", re.compile(r"///[a-z]+\.[a-z]+\.[a-z]+", re.I), None),
    (
        "case",
        re.compile(
            # No bare "ref": a watch's "ref 116610LN" is exactly what other stores need to know.
            r"(?<!\w)(?:case|crime|police|report|incident|event|log|cad|urn|occurrence|badge|collar|warrant|shoulder)"
            r"s?\b\s*(?:no\.?|number|num|nr\.?|#|ref\.?|reference)?\s*[:#]?\s*(?=[A-Za-z0-9/\-]*\d)"
            r"[A-Za-z0-9][A-Za-z0-9/\-]{3,}",
            re.I,
        ),
        _ANY_DIGIT,
    ),
    ("case", re.compile(r"\b[A-Z]{1,5}[/-]\d{2,}(?:[/-][A-Z0-9]{2,})+\b"), re.compile(r"[/-]\d\d")),
    ("address", re.compile(rf"\b\d{{1,5}}[A-Za-z]?,?\s+(?:[A-Z][\w'’.-]*\s+){{1,3}}(?i:{_STREET_TYPES})"), _ANY_DIGIT),
    ("address", re.compile(rf"\b(?:[A-Z][\w'’-]*\s+){{1,3}}(?:{_STREET_TYPES})"), None),
    # A unit of a building: "Suite 4", "Unit 12B", "Shop 3".
    (
        "address",
        re.compile(r"(?<!\w)(?:Suite|Ste\.|Unit|Shop)\s*#?\s*\d{1,4}[A-Za-z]?\b"),
        re.compile(r"Suite|Ste\.|Unit|Shop"),
    ),
    (
        "time",
        re.compile(
            r"\b(?:[01]?\d|2[0-3]):[0-5]\d(?:\s*(?:[ap]\.m\.?|[ap]m\b))?"
            r"|\b(?:1[0-2]|0?[1-9])(?:[.:][0-5]\d)?\s*(?:[ap]\.m\.?|[ap]m\b)",
            re.I,
        ),
        re.compile(r":\d\d|\d\s*[ap]\.?m", re.I),
    ),
]
# The name after a police rank; the rank itself is harmless and kept ("PC [name]").
_RANKED_NAME = re.compile(rf"(?<!\w)(?:(?i:{_RANKS})\s+)+(?P<name>[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?)")
# A plate written after a word that announces one; upper case letters and digits only, with a digit in it.
_CONTEXT_PLATE = re.compile(
    r"(?<!\w)(?i:plates?|reg(?:istration)?|rego|licen[cs]e(?:\s+plate)?|tag)\b(?:\s+(?i:no\.?|number))?\s*[:#]?\s*"
    r"(?P<plate>(?=[A-Z0-9 -]*\d)[A-Z0-9][A-Z0-9 -]{2,8}[A-Z0-9])\b"
)


# Plates written bare, in common shapes (UK "AB12 CDE", California "8ABC123", "XYZ-987", Victoria "1AB-2CD").
# No pattern knows every country's plates; this catches the usual ones in texts with no known plate (a police
# note), and the store's preview shows what is left.
_PLATE_SHAPES = re.compile(
    r"\b(?:[A-Z]{2}\d{2}\s?[A-Z]{3}|\d[A-Z]{3}[\s-]?\d{3}|[A-Z]{3}-?\d{3,4}|\d[A-Z]{2}-?\d[A-Z]{2})\b"
)


def _pattern_spans(text: str, *, remove_plates: bool) -> list[Span]:
    spans = [
        Span(m.start(), m.end(), kind)
        for kind, pattern, trigger in _PATTERNS
        if trigger is None or trigger.search(text)
        for m in pattern.finditer(text)
    ]
    # "Deputy Manager", "Police Officer Training": a rank before an ordinary word is not a name.
    spans += [
        Span(m.start("name"), m.end("name"), "name")
        for m in _RANKED_NAME.finditer(text)
        if fold(_WORD.search(m.group("name")).group()) not in COMMON_WORDS
    ]
    if not _ANY_DIGIT.search(text):  # phone numbers and the plates we recognise all have a digit
        return spans
    for match in _PHONE_RUN.finditer(text):
        run = match.group()
        digit_count = sum(ch.isdigit() for ch in run)
        if 7 <= digit_count <= 15 and not _DATE_LIKE.match(run.strip("() ")):
            spans.append(Span(_phone_start(match), match.end(), "phone"))
    if remove_plates:
        spans += [Span(m.start("plate"), m.end("plate"), "plate") for m in _CONTEXT_PLATE.finditer(text)]
        spans += [Span(m.start(), m.end(), "plate") for m in _PLATE_SHAPES.finditer(text)]
    return spans


# ---------------------------------------------------------------------------------------------------------------
# Putting it together

_POSSESSIVE = re.compile(r"['’]s\b|(?<=s)['’](?!\w)")
_JOINER = re.compile(r"[\s,]*")
_QUOTES = "'‘’\""
_IDENTITY_KINDS = frozenset({"store", "address", "place", "name", "email"})


def _merge(text: str, spans: Iterable[Span]) -> list[Span]:
    """Overlapping spans become one (the kind of the earliest, longest); neighbouring spans of the same kind with
    only spaces or commas between them ("12 Harbour St, QS1 4AB") become one marker; a possessive "'s" after a
    name goes with it."""
    merged: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        end = span.end
        if span.kind in _IDENTITY_KINDS and not (span.start and text[span.start - 1] in _QUOTES):
            possessive = _POSSESSIVE.match(text, end)
            if possessive:
                end = possessive.end()
        if merged and (
            span.start < merged[-1].end
            or (span.kind == merged[-1].kind and _JOINER.fullmatch(text, merged[-1].end, span.start))
        ):
            last = merged[-1]
            merged[-1] = Span(last.start, max(last.end, end), last.kind)
        else:
            merged.append(Span(span.start, end, span.kind))
    return merged


@dataclass(frozen=True)
class Scrubber:
    """Scrubs texts for one set of identities (built once, used for every field of a draft)."""

    indexes: tuple[IdentityIndex, ...]
    remove_plates: bool

    def scrub(self, text: str, field_name: str, *, patterns: bool = True) -> tuple[str, list[Redaction]]:
        """Return the scrubbed text and its redactions. `patterns=False` applies the identity terms only (for
        fields such as a plate, where a phone-number pattern would be wrong)."""
        if not text or text.isspace():
            return text, []
        spans = _identity_spans(text, self.indexes)
        if patterns:
            spans += _pattern_spans(text, remove_plates=self.remove_plates)
        if not spans:
            return text, []
        pieces: list[str] = []
        redactions: list[Redaction] = []
        position = 0
        length = 0
        for span in _merge(text, spans):
            before = text[position : span.start]
            pieces.append(before)
            length += len(before)
            marker = MARKERS[span.kind]
            pieces.append(marker)
            redactions.append(
                Redaction(span.kind, text[span.start : span.end], marker, field_name, length, length + len(marker))
            )
            length += len(marker)
            position = span.end
        pieces.append(text[position:])
        return "".join(pieces), redactions


def make_scrubber(
    identities: Iterable[StoreIdentity],
    *,
    remove_plates: bool,
    plates: Iterable[str] = (),
    place_names: Iterable[str] = (),
) -> Scrubber:
    """A scrubber for these stores; `plates` (removed only when `remove_plates`) and `place_names` (areas too small
    to name) are scrubbed too."""
    places = tuple(("place", name) for name in place_names if name and name.strip())
    indexes = [build_index(tuple(identities), places)]
    plate_terms = tuple(("plate", plate) for plate in plates if plate and plate.strip())
    if remove_plates and plate_terms:
        indexes.append(build_index((), plate_terms))  # per incident: kept apart so the store's index stays cached
    return Scrubber(tuple(indexes), remove_plates)
