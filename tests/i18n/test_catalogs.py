"""The catalogs are complete: every string marked in the sources is translated in French (Canada) and Spanish, with
the same %(name)s placeholders; and the tools that keep them so (i18n.catalogs, i18n.merge_parts) do their job."""

from __future__ import annotations

import io

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from i18n import catalogs
from i18n.merge_parts import merge


def test_every_marked_string_is_translated_in_every_catalog():
    template = catalogs.extract()
    assert len(template) > 100, "the extraction found almost nothing: is babel.cfg read?"
    problems = catalogs.problems(template)
    listing = "\n".join(str(p) for p in problems)
    assert not problems, (
        f"{len(problems)} catalog problem(s); run `make messages`, translate in i18n/translations/*/LC_MESSAGES/"
        f"messages.po (or i18n/parts/*.po and `python -m i18n.merge_parts`):\n{listing}"
    )


def test_the_extraction_sees_templates_python_and_lazy_strings():
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in catalogs.extract() if m.id}
    assert "Your language" in ids  # a template
    assert "Loupe does not speak that language yet." in ids  # Python, _()
    assert "Language" in ids  # a form label, _l()


def _catalog(language: str, entries: dict) -> Catalog:
    catalog = Catalog(locale=language)
    for msgid, msgstr in entries.items():
        catalog.add(msgid, msgstr)
    return catalog


def test_the_check_names_missing_empty_fuzzy_and_mismatched_placeholders():
    template = _catalog("en", {"Save": None, "Cancel": None, "Delete": None, "%(n)s stores": None, "Hello": None})
    french = _catalog("fr_CA", {"Save": "Enregistrer", "Cancel": "", "%(n)s stores": "%(count)s magasins"})
    french.add("Delete", "Supprimer", flags=["fuzzy"])
    problems = {(p.msgid, p.reason) for p in catalogs.problems(template, {"fr_CA": french})}
    assert problems == {
        ("Cancel", "untranslated"),
        ("Delete", "fuzzy"),
        ("%(n)s stores", "placeholders differ"),
        ("Hello", "missing"),
    }


def test_merging_parts_fills_empty_entries_and_the_part_wins_a_difference(tmp_path):
    (tmp_path / "lane.fr_CA.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Save"\nmsgstr "Enregistrer"\n\n'
        'msgid "Cancel"\nmsgstr "Annuler"\n\n'
        'msgid "Gone"\nmsgstr "Parti"\n\n'
        'msgid "%(num)d store"\nmsgid_plural "%(num)d stores"\nmsgstr[0] "%(num)d magasin"\n'
        'msgstr[1] "%(num)d magasins"\n',
        encoding="utf-8",
    )
    catalog = Catalog(locale="fr_CA")
    catalog.add("Save", "")
    catalog.add("Cancel", "Abandonner")
    catalog.add("Keep", "Garder")
    catalog.add(("%(num)d store", "%(num)d stores"), ("", "", ""))
    report = "\n".join(merge("fr_CA", catalog, tmp_path))
    assert catalog.get("Save").string == "Enregistrer"
    assert catalog.get("Cancel").string == "Annuler" and "replaces 'Cancel'" in report
    assert catalog.get("Keep").string == "Garder"
    # French has three plural forms in CLDR: the part's two become three, the last repeated.
    assert catalog.get("%(num)d store").string == ("%(num)d magasin", "%(num)d magasins", "%(num)d magasins")
    assert "unused (no source has it): 'Gone'" in report


def test_the_catalogs_on_disk_are_valid_po_files():
    for language in catalogs.CATALOG_LANGUAGES:
        data = catalogs.catalog_path(language).read_bytes()
        catalog = read_po(io.BytesIO(data), locale=language)
        assert str(catalog.locale) == language
