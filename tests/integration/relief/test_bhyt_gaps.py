"""BHYT coverage gaps on a date, from the real ledger's eligibility and card events."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.engine import Engine

from ledger import Ledger
from ledger.bhyt.gaps import coverage_gaps
from schemas.build import make_event
from schemas.health_insurance import HealthInsuranceCardRevoked
from tests.integration.relief.events import card, died, granted, registered, terminated

pytestmark = pytest.mark.integration
ON = date(2025, 6, 1)
YEAR = (date(2025, 1, 1), date(2025, 12, 31), 1_263_600)


def test_gaps_list_uncovered_entitled_people_and_cards_no_longer_due(
    relief_ledger: Ledger, relief_engine: Engine
) -> None:
    adult = date(1960, 1, 1)
    revoke = make_event(
        HealthInsuranceCardRevoked,
        person_id="P-H",
        card_number="BT2840000000008",
        revoked_from=date(2025, 3, 1),
        reason="reissued with a new number",
    )
    relief_ledger.append(
        [
            *(registered(p, adult) for p in ("P-A", "P-B", "P-E", "P-F", "P-G", "P-H")),
            registered("P-C", date(2022, 3, 1)),
            registered("P-D", date(2018, 1, 1)),
            *(granted(p, "2024-01") for p in ("P-A", "P-B", "P-E", "P-F", "P-G", "P-H")),
            card("P-B", "BT2840000000002", *YEAR),
            card("P-E", "BT2840000000005", *YEAR),
            died("P-E", date(2025, 3, 10)),
            card("P-F", "BT2840000000006", *YEAR),
            terminated("P-F", "2025-02"),
            card("P-G", "BT2840000000007", date(2024, 1, 1), date(2024, 12, 31), 1_123_200),
            card("P-H", "BT2840000000008", *YEAR),
            revoke,
        ]
    )
    with relief_engine.connect() as conn:
        gaps = coverage_gaps(conn, "84", ON)
        elsewhere = coverage_gaps(conn, "79", ON)
    assert [(g.kind, g.person_id, g.reason) for g in gaps] == [
        ("card_not_entitled", "P-E", "died on 2025-03-10"),
        ("card_not_entitled", "P-F", "left the program from 2025-02"),
        ("no_valid_card", "P-A", "monthly allowance recipient"),
        ("no_valid_card", "P-C", "child under 6"),
        ("no_valid_card", "P-G", "monthly allowance recipient"),
        ("no_valid_card", "P-H", "monthly allowance recipient"),
    ]
    assert gaps[0].card_number == "BT2840000000005" and gaps[0].valid_to == date(2025, 12, 31)
    assert elsewhere == []


def test_before_the_grant_month_an_adult_is_not_yet_entitled(
    relief_ledger: Ledger, relief_engine: Engine
) -> None:
    relief_ledger.append([registered("P-A", date(1960, 1, 1)), granted("P-A", "2025-07")])
    with relief_engine.connect() as conn:
        assert coverage_gaps(conn, "84", ON) == []
        assert [g.person_id for g in coverage_gaps(conn, "84", date(2025, 7, 1))] == ["P-A"]


def test_a_revocation_voids_the_card_periods_recorded_before_it_not_a_later_renewal(
    relief_ledger: Ledger, relief_engine: Engine
) -> None:
    renewed, voided = "BT2840000000042", "BT2840000000043"
    last_year = (date(2024, 1, 1), date(2024, 12, 31), 1_117_800)

    named = "BT2840000000044"

    def revoke(person: str, number: str, period: date | None = None) -> HealthInsuranceCardRevoked:
        return make_event(
            HealthInsuranceCardRevoked,
            person_id=person,
            card_number=number,
            revoked_from=date(2024, 12, 1),
            reason="reissued",
            card_valid_from=period,
        )

    relief_ledger.append(
        [
            *(registered(p, date(1950, 1, 1)) for p in ("P-R", "P-V")),
            *(granted(p, "2024-01") for p in ("P-R", "P-V")),
            # P-R: the 2024 card revoked, then the 2025 renewal (same number, other valid_from)
            card("P-R", renewed, *last_year),
            revoke("P-R", renewed),
            card("P-R", renewed, *YEAR),
            # P-V: the renewal was already recorded when the card was revoked
            card("P-V", voided, *last_year),
            card("P-V", voided, *YEAR),
            revoke("P-V", voided),
            # P-N: the renewal already recorded too, but the revocation names last year's period
            registered("P-N", date(1950, 1, 1)),
            granted("P-N", "2024-01"),
            card("P-N", named, *last_year),
            card("P-N", named, *YEAR),
            revoke("P-N", named, last_year[0]),
        ]
    )
    with relief_engine.connect() as conn:
        gaps = coverage_gaps(conn, "84", ON)
    assert [(g.kind, g.person_id) for g in gaps] == [("no_valid_card", "P-V")]
    # the person view (the coverage read model) agrees
    assert [c.valid_from for c in relief_ledger.balances("P-R", as_of=ON).coverage] == [YEAR[0]]
    assert relief_ledger.balances("P-V", as_of=ON).coverage == ()
    assert [c.valid_from for c in relief_ledger.balances("P-N", as_of=ON).coverage] == [YEAR[0]]
