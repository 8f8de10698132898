"""Domain processing: the payroll rules are asked about eligibility events only."""

from __future__ import annotations

from typing import Any

import pytest

from schemas.envelope import Event
from streams.domain import DomainProcessor, load_implied_rule
from tests.fixtures.streams import sample_events


def test_the_payroll_rules_for_implied_events_are_found() -> None:
    rule = load_implied_rule()

    assert rule is not None and rule.__module__ == "ledger.payroll.implied"


def test_only_eligibility_events_are_given_to_the_rule() -> None:
    asked: list[str] = []

    def rule(event: Event, ledger: Any) -> list[Event]:
        asked.append(event.event_type)
        return [event]

    events = sample_events(9)
    implied = DomainProcessor(ledger=None, rule=rule).implied(events)  # type: ignore[arg-type]

    assert asked == ["BeneficiaryRegistered", "EligibilityGranted"]
    assert implied == events[1:3]


def test_without_rules_nothing_is_implied_and_the_gap_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    processor = DomainProcessor(ledger=None, rule=None)  # type: ignore[arg-type]

    assert processor.implied(sample_events(9)) == []
    assert not processor.enabled
    assert "domain processing is off" in caplog.text
