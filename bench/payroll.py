"""Payroll throughput: N beneficiaries, one month computed, published to Kafka and appended.

    python bench/payroll.py --n 100000

Seeds N registrations + grants (mixed groups, ages and effective months, 300 per commune) and
runs payroll for 2025-02 (untimed, so the timed month has accrual history and issued lists).
Then times payroll 2025-03 twice: compute only (sink discards: the raw limit of the run core),
and the real thing: compute + publish to the broker (acks=all) + Ledger.append with the
payroll and reconciliation projectors, as the worker would. Target: 1,000,000 in < 180 s.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import (
    Timer,
    current_rss_mb,
    kafka_bootstrap,
    postgres_url,
    print_bench,
    topic_prefix,
)
from connectors.producer import EventPublisher
from ledger.ledger import Ledger, open_ledger
from ledger.payroll.projector import PayrollProjector
from ledger.payroll.run import PayrollScope, run_payroll
from ledger.reconciliation.projector import ReconciliationProjector
from schemas import Event, make_event
from schemas.eligibility import (
    BeneficiaryGroup,
    BeneficiaryRegistered,
    DisabilityLevel,
    EligibilityGranted,
)

AT = datetime(2025, 1, 10, tzinfo=UTC)
PER_COMMUNE = 300
TARGET_SECONDS_PER_MILLION = 180.0

# (group, birth year range, disability level) in rough proportion to a province's register.
_MIX = [
    (BeneficiaryGroup.ELDERLY_POOR_NO_SUPPORTER, (1930, 1962), None),
    (BeneficiaryGroup.ELDERLY_POOR_NO_SUPPORTER, (1930, 1962), None),
    (BeneficiaryGroup.ELDERLY_80_NO_PENSION, (1925, 1944), None),
    (BeneficiaryGroup.DISABILITY_SEVERE, (1950, 2015), DisabilityLevel.SEVERE),
    (BeneficiaryGroup.DISABILITY_SEVERE, (1950, 2015), DisabilityLevel.SEVERE),
    (
        BeneficiaryGroup.DISABILITY_PARTICULARLY_SEVERE,
        (1950, 2015),
        DisabilityLevel.PARTICULARLY_SEVERE,
    ),
    (BeneficiaryGroup.CHILD_NO_CAREGIVER, (2012, 2023), None),
    (BeneficiaryGroup.LANDMINE_VICTIM, (1950, 1990), DisabilityLevel.SEVERE),
    (BeneficiaryGroup.HIV_POOR_HOUSEHOLD, (1970, 2000), None),
    (BeneficiaryGroup.SINGLE_PARENT_POOR, (1980, 2000), None),
]


def people(n: int) -> Sequence[Event]:
    """Registration and grant events of N synthetic beneficiaries in province 84."""
    events: list[Event] = []
    for i in range(n):
        group, (lo, hi), level = _MIX[i % len(_MIX)]
        commune_no = i // PER_COMMUNE
        commune = f"{10000 + commune_no:05d}"
        district = f"{100 + commune_no // 10 % 900:03d}"
        pid = f"P{i:08d}"
        born = date(lo + (i * 7919) % (hi - lo + 1), 1 + i % 12, 1 + i % 28)
        events.append(
            make_event(
                BeneficiaryRegistered,
                person_id=pid,
                full_name=f"Người thụ hưởng {i}",
                birth_date=born,
                sex="female" if i % 2 else "male",
                province_code="84",
                district_code=district,
                commune_code=commune,
                disability_level=level,
                occurred_at=AT,
                recorded_at=AT,
            )
        )
        effective = "2025-01" if i % 10 else "2025-03"  # 10% start in the timed month
        events.append(
            make_event(
                EligibilityGranted,
                person_id=pid,
                group=group,
                decision_number=f"QD-{i}",
                decision_date=date(2025, 1, 5),
                effective_month=effective,
                children_raised=1 + i % 3 if group is BeneficiaryGroup.SINGLE_PARENT_POOR else None,
                occurred_at=AT,
                recorded_at=AT,
            )
        )
    return events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100_000, help="beneficiaries")
    args = parser.parse_args()
    n = args.n
    with postgres_url() as url, kafka_bootstrap() as bootstrap:
        ledger = open_ledger(url, projectors=[PayrollProjector(), ReconciliationProjector()])
        with Timer() as seed:
            events = people(n)
            for start in range(0, len(events), 20_000):
                ledger.append(events[start : start + 20_000])
            del events
            run_payroll(
                ledger.engine, PayrollScope("2025-02", "84"), ledger.append, batch_size=20_000
            )
        print(f"seeded {n:,} beneficiaries and payroll 2025-02 in {seed.seconds:.1f} s")
        with Timer() as raw:
            dry = run_payroll(
                ledger.engine, PayrollScope("2025-03", "84"), lambda _: None, batch_size=20_000
            )
        publisher = EventPublisher(bootstrap, topic_prefix(bootstrap))
        publish_s = append_s = 0.0

        def sink(batch: Sequence[Event]) -> None:
            nonlocal publish_s, append_s
            with Timer() as t:
                publisher.publish(batch)
            publish_s += t.seconds
            with Timer() as t:
                ledger.append(batch)
            append_s += t.seconds

        with Timer() as real:
            report = run_payroll(
                ledger.engine, PayrollScope("2025-03", "84"), sink, batch_size=20_000
            )
        publisher.close()
        assert report.events == dry.events and report.listed_vnd == dry.listed_vnd
        rerun = run_payroll(ledger.engine, PayrollScope("2025-03", "84"), lambda _: None)
        assert rerun.events == 0, "a second run must publish nothing"
        _close(ledger)
    compute_s = real.seconds - publish_s - append_s
    rate = n / real.seconds
    print(
        f"payroll 2025-03 for {n:,} beneficiaries: {report.events:,} events "
        f"({sum(report.accruals.values()):,} accruals, {report.lists:,} lists, "
        f"{report.lines:,} lines, {report.listed_vnd:,} VND)"
    )
    print(f"  compute only (raw limit): {raw.seconds:.1f} s ({n / raw.seconds:,.0f} people/s)")
    print(
        f"  compute + publish + ledger: {real.seconds:.1f} s ({rate:,.0f} people/s): "
        f"compute {compute_s:.1f} s, publish {publish_s:.1f} s, ledger append {append_s:.1f} s"
    )
    print(
        f"  projected for 1,000,000: {1_000_000 / rate:.0f} s (target < 180 s); "
        f"RSS now {current_rss_mb()} MiB"
    )
    print_bench(
        "payroll",
        round(rate, 1),
        "beneficiaries/s",
        raw_limit=round(n / raw.seconds, 1),
        target=f">= {1_000_000 / TARGET_SECONDS_PER_MILLION:.0f}",
        n=n,
        seconds=round(real.seconds, 2),
        events=report.events,
    )


def _close(ledger: Ledger) -> None:
    ledger.close()


if __name__ == "__main__":
    main()
