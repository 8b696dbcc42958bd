"""Store names and slugs from hostile input; schema names never from user text."""

import pytest

from tenants.errors import InvalidStoreName
from tenants.naming import clean_store_name, is_store_schema, schema_name_for, slug_from_name, validate_slug


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Quayside Diamonds", "quayside-diamonds"),
        ("O'Brien's \"Gold\"; DROP SCHEMA public;--", "o-brien-s-gold-drop-schema-public"),
        ("public", "store-public"),
        ("pg_catalog", "store-pg-catalog"),
        ("Quаyside Dіamonds", "quayside-diamonds"),  # Cyrillic look-alikes transliterate
        ("Ԛ Gold", "gold"),  # a letter with no transliteration is dropped, never kept
        ("Bijouterie Émeraude", "bijouterie-emeraude"),
        ("x" * 300, "x" * 50),
    ],
)
def test_hostile_names_are_safely_slugged(name, slug):
    assert slug_from_name(clean_store_name(name[:200])) == slug


@pytest.mark.parametrize(
    "bad_slug",
    [
        "public",
        "pg-catalog",
        "Quayside",
        "a b",
        "a;b",
        "a'b",
        "-lead",
        "trail-",
        "a--b",
        "x" * 51,
        "",
        "ünï",
        "store_1",
        "admin",
    ],
)
def test_hostile_explicit_slugs_are_refused_with_a_message(bad_slug):
    with pytest.raises(InvalidStoreName) as err:
        validate_slug(bad_slug)
    assert str(err.value)


def test_names_too_long_or_invisible_are_refused():
    with pytest.raises(InvalidStoreName, match="too long"):
        clean_store_name("x" * 300)
    with pytest.raises(InvalidStoreName, match="invisible"):
        clean_store_name("Gold\u200bsmiths")
    with pytest.raises(InvalidStoreName, match="control"):
        clean_store_name("Gold\nsmiths")
    with pytest.raises(InvalidStoreName):
        clean_store_name("   ")
    with pytest.raises(InvalidStoreName, match="letter or digit"):
        slug_from_name(clean_store_name("'; --"))


def test_schema_names_come_only_from_ids():
    assert schema_name_for(42) == "store_42"
    assert is_store_schema("store_42")
    for bad in ("public", "store_", "store_01", "store_1; drop", "Store_1", "store_-1"):
        assert not is_store_schema(bad)
    for bad_id in (0, -1, True, "7"):
        with pytest.raises(ValueError):
            schema_name_for(bad_id)
