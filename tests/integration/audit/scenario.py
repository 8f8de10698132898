"""A small history with everything a replay must reproduce: corrections, duplicates, late facts.

Three batches as a worker would append them, each event with the Kafka record it came from:
January pay for three people; February with a repeated record (already recorded), a repeated
id with other content (a conflict), a reversal of a payment, a late arrears accrual and relief;
March with a death reported late and the overpayment to recover.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from ledger import Incoming, KafkaOrigin
from schemas import Event, Source, make_event
from schemas.canonical import lines_digest
from schemas.eligibility import BeneficiaryDied, BeneficiaryRegistered, EligibilityGranted
from schemas.health_insurance import HealthInsuranceCardIssued
from schemas.payments import (
    AllowanceAccrued,
    FundsTransferred,
    PaymentDisbursed,
    PaymentLine,
    PaymentListIssued,
    PaymentReversed,
)
from schemas.policy import StandardLevelSet
from schemas.registry import topic_for
from schemas.relief import DonationReceived, ItemQuantity, ReliefItemHandedOut

PEOPLE = ("P-84-000001", "P-84-000002", "P-84-000003")
COMMUNE, DISTRICT, PO = "29362", "842", "VNP84842"
T0 = datetime(2025, 1, 6, 2, 0, tzinfo=UTC)
IMPORT = Source(system="aidledger-import", operator="officer-7", reference="dsach-2025-01.csv")


def _id(*parts: object) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, "audit-scenario/" + "/".join(map(str, parts)))


def _at(days: float) -> datetime:
    return T0 + timedelta(days=days)


def _event(cls: type[Event], key: str, days: float, **fields: Any) -> Event:
    source = fields.pop("source", IMPORT)
    when = fields.pop("occurred_at", _at(days))
    return make_event(
        cls, event_id=_id(key), occurred_at=when, recorded_at=_at(days), source=source, **fields
    )


def _accrual(
    person: str,
    month: str,
    days: float,
    component: str = "regular",
    service: str | None = None,
    amount: int = 750_000,
    **extra: Any,
) -> Event:
    return _event(
        AllowanceAccrued,
        f"acc/{person}/{month}/{component}/{service}",
        days,
        person_id=person,
        month=month,
        service_month=service or month,
        component=component,
        amount_vnd=amount,
        province_code="84",
        commune_code=COMMUNE,
        **extra,
    )


def _paid(person: str, line: int, days: float, amount: int = 750_000) -> Event:
    return _event(
        PaymentDisbursed,
        f"paid/{person}/2025-01",
        days,
        list_id="L-2025-01",
        line_no=line,
        person_id=person,
        post_office_code=PO,
        amount_paid_vnd=amount,
        paid_at=_at(days),
        receipt_no=f"R-{line}",
        collected_by="self",
        report_id="bc-vnpost-2025-01.csv",
        report_row=line,
        source=Source(system="vnpost-report", operator="officer-9"),
    )


def january() -> list[Event]:
    lines = tuple(
        PaymentLine(
            line_no=i,
            person_id=p,
            full_name=f"Người {i}",
            commune_code=COMMUNE,
            components={"regular": 750_000},
            amount_vnd=750_000,
        )
        for i, p in enumerate(PEOPLE, 1)
    )
    events: list[Event] = [
        _event(
            StandardLevelSet,
            "level",
            0,
            amount_vnd=500_000,
            effective_month="2024-07",
            legal_basis="Decree 76/2024/NĐ-CP",
        ),
    ]
    for i, person in enumerate(PEOPLE, 1):
        events += [
            _event(
                BeneficiaryRegistered,
                f"reg/{person}",
                0.1,
                person_id=person,
                full_name=f"Người {i}",
                birth_date=date(1940, i, 1),
                sex="female",
                province_code="84",
                district_code=DISTRICT,
                commune_code=COMMUNE,
                groups=("elderly_poor_no_supporter",),
            ),
            _event(
                EligibilityGranted,
                f"grant/{person}",
                0.2,
                person_id=person,
                group="elderly_poor_no_supporter",
                decision_number=f"{i}/QĐ-UBND",
                decision_date=date(2024, 12, 20),
                effective_month="2025-01",
            ),
            _accrual(person, "2025-01", 0.3),
        ]
    events += [
        _event(
            PaymentListIssued,
            "list/2025-01",
            0.4,
            list_id="L-2025-01",
            month="2025-01",
            province_code="84",
            district_code=DISTRICT,
            commune_code=COMMUNE,
            post_office_code=PO,
            lines=lines,
            total_vnd=2_250_000,
            digest=lines_digest(lines),
        ),
        _event(
            FundsTransferred,
            "funds/2025-01",
            0.5,
            transfer_id="T-2025-01",
            direction="to_post_office",
            province_code="84",
            post_office_code=PO,
            month="2025-01",
            amount_vnd=2_250_000,
        ),
        *(_paid(person, i, 2 + i) for i, person in enumerate(PEOPLE, 1)),
    ]
    return events


def february() -> list[Event]:
    first, second, third = PEOPLE
    return [
        _paid(second, 2, 4),  # the same record again: already recorded
        _paid(third, 3, 5, amount=700_000),  # same id, other content: a conflict
        _event(
            PaymentReversed,
            "rev/P1",
            30,
            list_id="L-2025-01",
            line_no=1,
            person_id=first,
            post_office_code=PO,
            reverses_event_id=_id(f"paid/{first}/2025-01"),
            amount_vnd=750_000,
            reason="receipt entered twice",
        ),
        *(_accrual(p, "2025-02", 31) for p in PEOPLE),
        # Late: a decision from December reached the ledger in February (arrears).
        _accrual(
            second,
            "2025-02",
            32,
            component="arrears",
            service="2024-12",
            occurred_at=_at(-20),
            note="decision signed late",
        ),
        _event(
            HealthInsuranceCardIssued,
            "card/P1",
            33,
            person_id=first,
            card_number="BT2848420000001",
            valid_from=date(2025, 1, 1),
            valid_to=date(2025, 12, 31),
            premium_vnd=1_263_600,
            issuer="BHXH Trà Vinh",
            province_code="84",
        ),
        _event(
            DonationReceived,
            "don/1",
            34,
            donor_id="D-REDCROSS",
            campaign_id="C-TET",
            receipt_id="RCV-1",
            province_code="84",
            items=(ItemQuantity(item_code="RICE", quantity=500, unit="kg", unit_value_vnd=20_000),),
        ),
        _event(
            ReliefItemHandedOut,
            "relief/P3",
            35,
            campaign_id="C-TET",
            donor_id="D-REDCROSS",
            item_code="RICE",
            quantity=10,
            unit="kg",
            unit_value_vnd=20_000,
            distribution_point="UBND xã",
            province_code="84",
            district_code=DISTRICT,
            commune_code=COMMUNE,
            person_id=third,
        ),
    ]


def march() -> list[Event]:
    third = PEOPLE[2]
    return [
        _event(
            BeneficiaryDied,
            "died/P3",
            60,
            person_id=third,
            date_of_death=date(2025, 1, 20),
            occurred_at=_at(14),
        ),
        _accrual(
            third,
            "2025-03",
            61,
            component="recovery",
            service="2025-02",
            note="died 2025-01-20, reported late",
        ),
    ]


def batches() -> list[list[Incoming]]:
    """The three batches, each event with a Kafka origin (topic per family, 4 partitions)."""
    offsets: dict[tuple[str, int], int] = defaultdict(int)
    out = []
    for events in (january(), february(), march()):
        batch = []
        for event in events:
            topic = topic_for(event)
            partition = sum(event.subject.encode()) % 4
            origin = KafkaOrigin(topic, partition, offsets[(topic, partition)])
            offsets[(topic, partition)] += 1
            batch.append(Incoming(event, origin))
        out.append(batch)
    return out


def all_events() -> list[Event]:
    """Every event of the history in publishing order (repeats included)."""
    return [*january(), *february(), *march()]
