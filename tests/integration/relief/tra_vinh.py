"""Trà Vinh (84) seed figures as ledger events: 33,200 allowance recipients paid one month,
25,287 BHYT cards, 6,000 essential-item handouts to landmine victims and their families."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

from ledger.bhyt.base_salary import default_table
from ledger.bhyt.premium import expected_premium
from schemas.build import make_event
from schemas.canonical import lines_digest
from schemas.envelope import Event
from schemas.payments import (
    AllowanceAccrued,
    CollectedBy,
    Component,
    PaymentDisbursed,
    PaymentLine,
    PaymentListIssued,
)
from tests.integration.relief.events import card, handout

RECIPIENTS, CARDS, HANDOUTS = 33_200, 25_287, 6_000
MONTH = "2025-01"
COEFFICIENTS = (Decimal("1.0"), Decimal("1.5"), Decimal("2.0"), Decimal("2.5"))
STANDARD = 500_000
DISTRICTS = [f"{d:03d}" for d in range(842, 851)]
CARD_PERIODS = (
    (date(2025, 1, 1), date(2025, 12, 31)),
    (date(2025, 1, 1), date(2025, 6, 30)),
    (date(2024, 1, 1), date(2024, 12, 31)),
    (date(2024, 10, 15), date(2025, 10, 14)),
)
ITEMS = (("RICE", 10), ("COOKING-OIL", 2), ("INSTANT-NOODLES", 1))


@dataclass
class Scenario:
    """The events, and the figures they add up to (computed here, independently of SQL)."""

    payments: list[Event] = field(default_factory=list)
    cards: list[Event] = field(default_factory=list)
    relief: list[Event] = field(default_factory=list)
    paid_vnd: int = 0
    premiums_vnd: int = 0
    relief_vnd: int = 0


def person(i: int) -> str:
    return f"TV-{i:05d}"


def commune(i: int) -> str:
    return f"{DISTRICTS[i % 9]}{i % 100 // 9:02d}"


def build() -> Scenario:
    s = Scenario()
    at = datetime(2025, 1, 3, 2, 0, tzinfo=UTC)
    amounts = [int(STANDARD * COEFFICIENTS[i % 4]) for i in range(RECIPIENTS)]
    s.payments += [
        make_event(
            AllowanceAccrued,
            occurred_at=at,
            recorded_at=at,
            person_id=person(i),
            month=MONTH,
            service_month=MONTH,
            component=Component.REGULAR,
            amount_vnd=amounts[i],
            province_code="84",
            commune_code=commune(i),
            coefficient=COEFFICIENTS[i % 4],
            standard_level_vnd=STANDARD,
        )
        for i in range(RECIPIENTS)
    ]
    by_commune: dict[str, list[int]] = {}
    for i in range(RECIPIENTS):
        by_commune.setdefault(commune(i), []).append(i)
    paid_at = datetime(2025, 1, 6, 2, 0, tzinfo=UTC)
    for code, people in sorted(by_commune.items()):
        lines = tuple(
            PaymentLine(
                line_no=n,
                person_id=person(i),
                full_name=f"Người nhận {i}",
                commune_code=code,
                components={Component.REGULAR: amounts[i]},
                amount_vnd=amounts[i],
            )
            for n, i in enumerate(people, start=1)
        )
        list_id = f"DS-{MONTH}-{code}"
        s.payments.append(
            make_event(
                PaymentListIssued,
                occurred_at=at,
                recorded_at=at,
                list_id=list_id,
                month=MONTH,
                province_code="84",
                district_code=code[:3],
                commune_code=code,
                post_office_code=f"BD-{code}",
                lines=lines,
                total_vnd=sum(line.amount_vnd for line in lines),
                digest=lines_digest(lines),
            )
        )
        s.payments += [
            make_event(
                PaymentDisbursed,
                occurred_at=paid_at,
                recorded_at=paid_at,
                list_id=list_id,
                line_no=line.line_no,
                person_id=line.person_id,
                post_office_code=f"BD-{code}",
                amount_paid_vnd=line.amount_vnd,
                paid_at=paid_at,
                receipt_no=f"R-{line.person_id}",
                collected_by=CollectedBy.SELF,
            )
            for line in lines
        ]
    s.paid_vnd = sum(amounts)
    table = default_table()
    issued = datetime(2025, 1, 2, 1, 0, tzinfo=UTC)
    for i in range(CARDS):
        start, end = CARD_PERIODS[i % 4]
        premium = expected_premium(start, end, table).amount_vnd
        s.cards.append(card(person(i), f"BT284{i:010d}", start, end, premium, issued))
        s.premiums_vnd += premium
    months = (datetime(2025, 1, 20, 2, 0, tzinfo=UTC), datetime(2025, 2, 10, 2, 0, tzinfo=UTC))
    for i in range(HANDOUTS):
        item, quantity = ITEMS[i % 3]
        victim = i < 4_000  # victims themselves; the rest are their families' households
        event = handout(
            f"NNBM-{i:04d}" if victim else None,
            item,
            quantity,
            household=None if victim else f"HGD-{i:04d}",
            campaign="NNBM-ESSENTIALS-2025",
            donor="DONOR-NNBM",
            district=DISTRICTS[i % 9],
            at=months[i % 2],
        )
        s.relief.append(event)
        s.relief_vnd += event.value_vnd
    return s
