"""Deterministic ids are uuid5 of the joined parts, whatever computes them."""

from __future__ import annotations

import uuid

import pytest

from schemas.build import NAMESPACE, deterministic_hex, deterministic_id


@pytest.mark.parametrize(
    "parts",
    [
        ("AllowanceAccrued", "P00000001", "2025-03", "2025-02", "allowance", "arrears", 0),
        ("PaymentListIssued", "PL-2025-03-84201-S2"),
        ("back-pay", "9d0e7c2a-0000-4000-8000-000000000001", "2024-11"),
        ("Người thụ hưởng", 7, None, 1.5),
        ("",),
    ],
)
def test_a_deterministic_id_is_the_uuid5_of_its_parts_joined(parts: tuple[object, ...]) -> None:
    expected = uuid.uuid5(NAMESPACE, "\x1f".join(str(p) for p in parts))
    found = deterministic_id(*parts)
    assert found == expected
    assert str(found) == str(expected) and found.version == 5
    assert found.variant == uuid.RFC_4122
    assert deterministic_hex(*parts) == expected.hex


def test_different_parts_give_different_ids() -> None:
    assert deterministic_id("a", "b") != deterministic_id("a\x1fb", "")
