"""Account codes: readable, and never the same for two different accounts."""

from __future__ import annotations

from ledger import accounts as A


def test_codes_read_owner_then_kind_then_detail() -> None:
    assert A.person_accrued("P1", "regular").code == "person:P1:accrued:regular"
    assert A.person_paid("P1").code == "person:P1:paid"
    assert A.donor("D1", "TET", "held", "ITEM:RICE") == A.Account(
        "donor:D1:TET:held", "ITEM:RICE", "donor", "D1", "held", "TET"
    )


def test_a_colon_inside_an_id_cannot_make_two_accounts_collide() -> None:
    tricky = A.recipient_relief("person", "P1:relief", "X", "VND")
    plain = A.recipient_relief("person", "P1", "relief:X", "VND")
    assert tricky.code != plain.code
    assert tricky.owner_id == "P1:relief"


def test_item_quantities_are_an_asset_of_their_own() -> None:
    assert A.item_asset("RICE-10KG") == "ITEM:RICE-10KG"
