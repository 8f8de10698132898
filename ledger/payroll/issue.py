"""Building the payroll's events: accruals and payment lists, with deterministic ids."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache

from ledger.payroll.accruals import FUNERAL, FUNERAL_RECOVERY_NOTE, Accrual
from ledger.payroll.calendar import month_text
from ledger.payroll.facts import Place
from schemas.build import deterministic_id
from schemas.canonical import lines_digest
from schemas.envelope import Source
from schemas.payments import AllowanceAccrued, Component, PaymentLine, PaymentListIssued

PAYROLL_SOURCE = "aidledger-payroll"


@lru_cache(maxsize=64)
def payroll_instant(month: str) -> datetime:
    """The occurred/recorded time of a payroll month's events: 00:00 UTC on its first day.

    Fixed (not "now") so that running the same month again publishes byte-identical events.
    """
    return datetime(int(month[:4]), int(month[5:7]), 1, tzinfo=UTC)


@lru_cache(maxsize=64)
def payroll_source(month: str) -> Source:
    """The source of a payroll month's events (one frozen instance per month)."""
    return Source(system=PAYROLL_SOURCE, reference=f"payroll {month}")


def list_id(month: str, commune: str, ordinal: int) -> str:
    """``PL-2025-03-84201`` for the main list, ``...-S1``, ``-S2`` for supplements."""
    base = f"PL-{month}-{commune}"
    return base if ordinal == 0 else f"{base}-S{ordinal}"


def accrual_event(person_id: str, month: str, accrual: Accrual, ordinal: int) -> AllowanceAccrued:
    """The AllowanceAccrued of one accrual; its id is fixed by person, months, kind and list."""
    service = month_text(accrual.service_month)
    note = None
    if accrual.component is Component.RECOVERY and accrual.kind == FUNERAL:
        note = FUNERAL_RECOVERY_NOTE
    at = payroll_instant(month)
    if accrual.implied_key is not None:
        # The id implied_events gives the same amount: if both are published, one is kept.
        event_id = deterministic_id(*accrual.implied_key)
    else:
        parts: tuple[object, ...] = (
            "AllowanceAccrued",
            person_id,
            month,
            service,
            accrual.kind,
            accrual.component.value,
            ordinal,
        )
        # A correction of what was accrued before: a second one in the same payroll month
        # (nothing listed between them, so the same ordinal) is another event.
        event_id = (
            deterministic_id(*parts, accrual.basis) if accrual.basis else deterministic_id(*parts)
        )
    return AllowanceAccrued(
        event_id=event_id,
        occurred_at=at,
        recorded_at=at,
        source=payroll_source(month),
        person_id=person_id,
        month=month,
        service_month=service,
        component=accrual.component,
        amount_vnd=accrual.amount_vnd,
        province_code=accrual.place.province,
        commune_code=accrual.place.commune,
        coefficient=accrual.coefficient,
        standard_level_vnd=accrual.standard_level_vnd,
        note=note,
    )


def list_event(
    month: str, place: Place, post_office: str, ordinal: int, lines: list[PaymentLine]
) -> PaymentListIssued:
    """One commune's list (main, or supplement ``ordinal`` of the main list)."""
    ident = list_id(month, place.commune, ordinal)
    at = payroll_instant(month)
    return PaymentListIssued(
        event_id=deterministic_id("PaymentListIssued", ident),
        occurred_at=at,
        recorded_at=at,
        source=payroll_source(month),
        list_id=ident,
        month=month,
        province_code=place.province,
        district_code=place.district,
        commune_code=place.commune,
        post_office_code=post_office,
        supplements_list_id=list_id(month, place.commune, 0) if ordinal else None,
        lines=tuple(lines),
        total_vnd=sum(line.amount_vnd for line in lines),
        digest=lines_digest(lines),
    )
