"""The payroll's events: deterministic ids, and fast-built events equal validated ones."""

from __future__ import annotations

from decimal import Decimal

from ledger.payroll.accruals import FUNERAL, Accrual
from ledger.payroll.facts import Place
from ledger.payroll.issue import accrual_event, list_event, list_id
from schemas.canonical import canonical_json
from schemas.payments import AllowanceAccrued, Component, PaymentLine
from schemas.registry import parse_event

PLACE = Place("84", "842", "84201")


def test_an_accrual_survives_the_round_trip_through_its_canonical_bytes() -> None:
    accrual = Accrual(
        24301,
        Component.ARREARS,
        750_000,
        PLACE,
        coefficient=Decimal("1.5"),
        standard_level_vnd=500_000,
    )
    event = accrual_event("P1", "2025-03", accrual, 0)
    validated = AllowanceAccrued.model_validate(event.model_dump())
    assert canonical_json(event) == canonical_json(validated)
    assert parse_event(canonical_json(event)) == validated


def test_the_same_accrual_has_the_same_id_and_a_supplement_gets_another() -> None:
    accrual = Accrual(24302, Component.REGULAR, 750_000, PLACE)
    assert accrual_event("P1", "2025-03", accrual, 0) == accrual_event("P1", "2025-03", accrual, 0)
    assert (
        accrual_event("P1", "2025-03", accrual, 0).event_id
        != accrual_event("P1", "2025-03", accrual, 1).event_id
    )


def test_a_funeral_recovery_is_marked_so_it_is_netted_as_funeral_support() -> None:
    accrual = Accrual(24300, Component.RECOVERY, 1_000_000, PLACE, FUNERAL)
    assert accrual_event("P1", "2025-03", accrual, 0).note == "funeral support recovered"


def test_a_supplementary_list_points_at_the_main_list() -> None:
    line = PaymentLine(
        line_no=1,
        person_id="P1",
        full_name="A",
        commune_code="84201",
        components={Component.REGULAR: 750_000},
        amount_vnd=750_000,
    )
    event = list_event("2025-03", PLACE, "VNPOST-842", 2, [line])
    assert (event.list_id, event.supplements_list_id) == (
        "PL-2025-03-84201-S2",
        list_id("2025-03", "84201", 0),
    )
    assert event.total_vnd == 750_000
