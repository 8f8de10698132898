"""Which tables an exact comparison joins on their key, and which it compares as text."""

from __future__ import annotations

from ledger.audit.compare import _joinable
from ledger.audit.tables import Table

POSTINGS = Table(
    "postings",
    ("sequence", "n", "amount", "account"),
    ("sequence", "n"),
    ("int8", "int2", "int8", "text"),
)


def test_a_keyed_table_of_plain_types_is_joined_on_its_key() -> None:
    assert _joinable(POSTINGS, POSTINGS)


def test_a_table_without_a_primary_key_is_compared_as_text() -> None:
    keyless = Table("postings", POSTINGS.columns, (), POSTINGS.types)
    assert not _joinable(keyless, keyless)


def test_a_column_type_without_value_equality_makes_the_table_compared_as_text() -> None:
    with_json = Table("notes", ("id", "doc"), ("id",), ("int8", "json"))
    assert not _joinable(with_json, with_json)


def test_sides_with_other_columns_or_keys_are_compared_as_text() -> None:
    fewer = Table("postings", POSTINGS.columns[:3], POSTINGS.key, POSTINGS.types[:3])
    other_key = Table("postings", POSTINGS.columns, ("sequence",), POSTINGS.types)
    assert not _joinable(POSTINGS, fewer)
    assert not _joinable(POSTINGS, other_key)
