"""The translation catalogs: extracting the marked strings, updating the .po files, compiling the .mo files, and
finding what is left to translate.

`make messages` runs `python -m i18n.catalogs update` (extract + update), `make translations` runs
`python -m i18n.catalogs compile`; the test suite compiles stale catalogs at start and fails on any msgid left
untranslated (`tests/i18n/test_catalogs.py`). Babel's own API, driven by `babel.cfg`, so the command line, the
Makefile and the test extract exactly the same messages.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
MAPPING = ROOT / "babel.cfg"
TRANSLATIONS = Path(__file__).resolve().parent / "translations"
TEMPLATE = TRANSLATIONS / "messages.pot"
# The languages with a catalog (English is the source language: its msgids are the English text).
CATALOG_LANGUAGES = ("fr_CA", "es")
# Flask-Babel's names besides Babel's defaults (`_l` is our lazy alias).
KEYWORDS = {"_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}
# Folders that hold no strings a person reads (tests may assert English text; the bench reports to developers).
_SKIPPED_DIRS = {"tests", "bench", "node_modules", "migrations", "static"}
_PLACEHOLDER = re.compile(r"%\((\w+)\)[#0\- +]*\d*(?:\.\d+)?[sdifr]")
_HEADER = {
    "project": "Loupe",
    "copyright_holder": "Loupe",
    "msgid_bugs_address": "",
}


def _keep_dir(path: str) -> bool:
    name = os.path.basename(path)
    return not name.startswith((".", "_")) and name not in _SKIPPED_DIRS


def extract() -> Catalog:
    """Every marked string of the sources (Python and templates, as babel.cfg maps them), as a template catalog."""
    with MAPPING.open() as fileobj:
        method_map, options_map = parse_mapping_cfg(fileobj, str(MAPPING))
    keywords = {**DEFAULT_KEYWORDS, **KEYWORDS}
    catalog = Catalog(**_HEADER)
    for filename, lineno, message, comments, context in extract_from_dir(
        ROOT, method_map, options_map, keywords=keywords, directory_filter=_keep_dir
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def catalog_path(language: str) -> Path:
    return TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"


def read_catalog(language: str) -> Catalog:
    path = catalog_path(language)
    if not path.exists():
        return Catalog(locale=language, **_HEADER)
    with path.open("rb") as fileobj:
        return read_po(fileobj, locale=language)


def write_catalog(catalog: Catalog, path: Path) -> None:
    """Write a .po/.pot atomically (two test processes may compile at once; an editor may be reading it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("wb", dir=path.parent, delete=False) as fileobj:
        write_po(fileobj, catalog, width=120, sort_by_file=False, include_previous=True, omit_header=False)
    os.replace(fileobj.name, path)


def update() -> dict[str, Catalog]:
    """Extract, write messages.pot, and bring each language's catalog up to it: new msgids are added empty, msgids
    no longer in the sources become obsolete (kept, commented, for reuse); translations are kept."""
    template = extract()
    write_catalog(template, TEMPLATE)
    catalogs = {}
    for language in CATALOG_LANGUAGES:
        catalog = read_catalog(language)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()  # a removed string's translation is still in git history; the file stays readable
        write_catalog(catalog, catalog_path(language))
        catalogs[language] = catalog
    return catalogs


def compile_catalogs(*, only_stale: bool = False) -> list[Path]:
    """Compile each catalog's .mo next to its .po (only those missing or older than their .po when `only_stale`);
    returns the files written. Fuzzy entries are left out, as gettext would."""
    written = []
    for language in CATALOG_LANGUAGES:
        po = catalog_path(language)
        if not po.exists():
            continue
        mo = po.with_suffix(".mo")
        if only_stale and mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        catalog = read_catalog(language)
        with tempfile.NamedTemporaryFile("wb", dir=mo.parent, delete=False) as fileobj:
            write_mo(fileobj, catalog, use_fuzzy=False)
        os.replace(fileobj.name, mo)
        written.append(mo)
    return written


def placeholders(text: str | Iterable[str]) -> set[str]:
    """The `%(name)s` names a string (or each form of a plural) uses."""
    texts = [text] if isinstance(text, str) else list(text)
    return {name for t in texts if t for name in _PLACEHOLDER.findall(t)}


@dataclass(frozen=True)
class Problem:
    language: str
    msgid: str
    reason: str

    def __str__(self) -> str:
        return f"[{self.language}] {self.reason}: {self.msgid!r}"


def _translated(message: Message) -> bool:
    if isinstance(message.string, (list, tuple)):
        return all(message.string)
    return bool(message.string)


def problems(template: Catalog | None = None, catalogs: dict[str, Catalog] | None = None) -> list[Problem]:
    """What keeps the catalogs from being complete for the current sources: every msgid missing, empty or fuzzy in a
    language's catalog, and every translation whose %(name)s placeholders differ from its msgid's. (`template` and
    `catalogs` default to the extracted sources and the catalogs on disk.)"""
    template = template if template is not None else extract()
    if catalogs is None:
        catalogs = {language: read_catalog(language) for language in CATALOG_LANGUAGES}
    found = []
    for language, catalog in catalogs.items():
        for source in template:
            if not source.id:
                continue
            msgid = source.id[0] if isinstance(source.id, (list, tuple)) else source.id
            message = catalog.get(source.id, context=source.context)
            if message is None:
                found.append(Problem(language, msgid, "missing"))
            elif message.fuzzy:
                found.append(Problem(language, msgid, "fuzzy"))
            elif not _translated(message):
                found.append(Problem(language, msgid, "untranslated"))
            elif placeholders(message.string) != placeholders(source.id):
                found.append(Problem(language, msgid, "placeholders differ"))
    return found


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "compile"
    if command == "extract":
        write_catalog(extract(), TEMPLATE)
        print(f"wrote {TEMPLATE.relative_to(ROOT)}")
    elif command == "update":
        for language, catalog in update().items():
            empty = sum(1 for m in catalog if m.id and not _translated(m))
            print(f"{catalog_path(language).relative_to(ROOT)}: {len(catalog) - 1} messages, {empty} to translate")
    elif command == "compile":
        for mo in compile_catalogs(only_stale="--stale" in argv):
            print(f"compiled {mo.relative_to(ROOT)}")
    elif command == "check":
        found = problems()
        for problem in found:
            print(problem)
        print(f"{len(found)} problem(s)")
        return 1 if found else 0
    else:
        print("usage: python -m i18n.catalogs extract|update|compile [--stale]|check", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
