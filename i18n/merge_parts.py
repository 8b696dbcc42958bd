"""Fill the catalogs from the helpers' part files: `python -m i18n.merge_parts`.

Each lane that adds strings writes its translations to `i18n/parts/<lane>.fr_CA.po` and `<lane>.es.po` (standard
.po files). After merging the branches, this tool extracts the current sources (as `make messages` does), then for
every msgid of the catalogs:

- an empty or fuzzy translation is filled from a part that has one;
- a filled translation is kept when no part has the msgid, or when the part says the same;
- when a part's translation differs from the catalog's, **the part wins** (it is the newer, reviewed work of the
  lane that wrote the string) and the tool prints the old and the new text, so the lead can look;
- when two parts disagree on one msgid, the first part in file-name order wins, and the tool prints both.

Part entries whose msgid is in no source any more are listed as unused and not added. Plural translations with
fewer forms than the language has (French counts three: one, many, other) get the last form repeated.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from i18n.catalogs import CATALOG_LANGUAGES, ROOT, catalog_path, update, write_catalog

PARTS = Path(__file__).resolve().parent / "parts"


def _key(message: Message):
    return (message.id[0] if isinstance(message.id, (list, tuple)) else message.id, message.context)


def _filled(string) -> bool:
    return all(string) if isinstance(string, (list, tuple)) else bool(string)


def _forms(string):
    """A part's translation with the empty plural forms at its end dropped (a part written with two forms, read as
    French's three, has an empty third)."""
    if not isinstance(string, (list, tuple)):
        return string
    forms = list(string)
    while forms and not forms[-1]:
        forms.pop()
    return tuple(forms)


def _fit(string, plural_forms: int):
    """A part's translation shaped for the catalog: a plural padded (or cut) to the language's number of forms."""
    if not isinstance(string, (list, tuple)):
        return string
    forms = list(string)[:plural_forms]
    while len(forms) < plural_forms:
        forms.append(forms[-1] if forms else "")
    return tuple(forms)


def read_parts(language: str, folder: Path = PARTS) -> tuple[dict, list[str]]:
    """The translations of every part file for `language`, by msgid, and the disagreements between parts."""
    found: dict = {}
    notes: list[str] = []
    for path in sorted(folder.glob(f"*.{language}.po")):
        with path.open("rb") as fileobj:
            part = read_po(fileobj, locale=language)
        for message in part:
            string = _forms(message.string)
            if not message.id or not string or not _filled(string) or message.fuzzy:
                continue
            key = _key(message)
            if key in found and found[key][0] != string:
                notes.append(f"  {path.name} disagrees with {found[key][1]} on {key[0]!r}; kept {found[key][1]}'s")
                continue
            found.setdefault(key, (string, path.name))
    return found, notes


def merge(language: str, catalog: Catalog, folder: Path = PARTS) -> list[str]:
    """Fill `catalog` (already updated to the sources) from the parts; returns the lines to report."""
    parts, report = read_parts(language, folder)
    used = set()
    filled = replaced = 0
    for message in catalog:
        if not message.id:
            continue
        key = _key(message)
        if key not in parts:
            continue
        used.add(key)
        string, source = parts[key]
        string = _fit(string, catalog.num_plurals)
        if _filled(message.string) and not message.fuzzy:
            if message.string == string:
                continue
            report.append(f"  {source} replaces {key[0]!r}: {message.string!r} → {string!r}")
            replaced += 1
        else:
            filled += 1
        message.string = string
        message.flags.discard("fuzzy")
    unused = [key[0] for key in parts if key not in used]
    report += [f"  unused (no source has it): {msgid!r}" for msgid in unused]
    report.insert(0, f"{language}: {filled} filled, {replaced} replaced from the parts, {len(unused)} unused")
    return report


def main() -> int:
    catalogs = update()
    left = 0
    for language in CATALOG_LANGUAGES:
        catalog = catalogs[language]
        for line in merge(language, catalog):
            print(line)
        write_catalog(catalog, catalog_path(language))
        empty = [m.id for m in catalog if m.id and (m.fuzzy or not _filled(m.string))]
        left += len(empty)
        print(f"  {len(empty)} still to translate in {catalog_path(language).relative_to(ROOT)}")
    return 0 if left == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
