"""A small campaign with known totals, a cell of 3 people and personal data to keep out."""

from __future__ import annotations

from datetime import UTC, date, datetime

from schemas.envelope import Event
from tests.integration.relief.events import donation, handout, registered

AUG = datetime(2021, 8, 5, 3, 0, tzinfo=UTC)
SEP = datetime(2021, 9, 6, 3, 0, tzinfo=UTC)
#: Strings that must never appear in donor output.
PERSONAL = ("NNBM-PERSON", "HH-NNBM", "Nguyễn Văn", "084123456789")


def person(i: int) -> str:
    return f"NNBM-PERSON-{i:04d}"


def campaign_events() -> list[Event]:
    """842: 20 people rice (Aug) + 6 people noodles (Sep); 843: 3 people rice; 844: 8
    households oil (Sep). Pledged 50M cash + 600 kg rice; received 30M cash + 600 kg rice."""
    people = [*range(1, 21), *range(21, 24), *range(24, 30)]
    events: list[Event] = [registered(person(i), date(1970, 1, 1), f"HH-NNBM-{i}") for i in people]
    events += [handout(person(i), "RICE", 10, at=AUG) for i in range(1, 21)]
    events += [handout(person(i), "RICE", 10, district="843", at=AUG) for i in range(21, 24)]
    events += [handout(person(i), "INSTANT-NOODLES", 1, at=SEP) for i in range(24, 30)]
    events += [
        handout(None, "COOKING-OIL", 2, household=f"HH-NNBM-H{i}", district="844", at=SEP)
        for i in range(8)
    ]
    events += [
        donation("pledged", "PL-1", cash=50_000_000, items={"RICE": 600}, at=AUG),
        donation("received", "RC-1", cash=30_000_000, items={"RICE": 600}, at=AUG),
    ]
    return events
