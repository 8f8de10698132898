"""Payroll throughput: N beneficiaries, one month computed, published and in the ledger.

    python bench/payroll.py --n 100000 [--workers 1]

Seeds N registrations + grants (mixed groups, ages and effective months, 300 per commune) and
runs payroll for 2025-02 (untimed, appended directly, so the timed month has accrual history
and issued lists). Then, for 2025-03: compute only in-process (the sink discards: the raw limit
of the run's core), and the real thing as it runs in production: with ``--workers`` `aidledger
worker` processes running, `aidledger payroll run --month 2025-03 --province 84` is started and
the clock stops when every event it published is in the ledger (appended by the workers, with
all their projectors). Target: 1,000,000 in < 180 s.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import (
    Timer,
    connect,
    kafka_bootstrap,
    postgres_url,
    print_bench,
    scratch_dir,
    topic_prefix,
)
from bench._workers import ledger_count, run_command, service_env, workers
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
    parser.add_argument("--workers", type=int, default=1, help="aidledger worker processes")
    args = parser.parse_args()
    n = args.n
    scope = PayrollScope("2025-03", "84")
    with postgres_url() as url, kafka_bootstrap() as bootstrap, scratch_dir() as home:
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
            dry = run_payroll(ledger.engine, scope, lambda _: None, batch_size=20_000)
        prefix = topic_prefix(bootstrap)
        conn = connect(url)
        expected = ledger_count(conn) + dry.events
        with workers(url, bootstrap, prefix, args.workers, home, "payroll") as group:
            group.wait_assigned()
            cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            cli = run_command(
                service_env(url, bootstrap, prefix, home),
                *("payroll", "run", "--month", scope.month, "--province", scope.province),
            )
            published = time.perf_counter()
            cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
            done = group.wait_for(conn, expected)
            time.sleep(1.0)  # anything more (a duplicate, an implied event) would show now
            extra = ledger_count(conn) - expected
            command_rss = cli.peak_mb  # the payroll command or its publisher child
            worker_rss = group.peak_mb()
        conn.close()
        if extra:
            raise SystemExit(f"the ledger holds {extra} events more than the run published")
        listed = _listed_vnd(ledger, scope.month)
        if listed != dry.listed_vnd:
            raise SystemExit(f"lists total {listed:,} VND in the ledger, run {dry.listed_vnd:,}")
        rerun = run_payroll(ledger.engine, scope, lambda _: None)
        if rerun.events:
            raise SystemExit(f"a second run would publish {rerun.events} events; expected none")
        ledger.close()
    cli_s, total_s = published - started, done - started
    cli_cpu = sum(getattr(cpu_after, f) - getattr(cpu_before, f) for f in ("ru_utime", "ru_stime"))
    rate = n / total_s
    print(
        f"payroll {scope.month} for {n:,} beneficiaries: {dry.events:,} events "
        f"({sum(dry.accruals.values()):,} accruals, {dry.lists:,} lists, "
        f"{dry.lines:,} lines, {dry.listed_vnd:,} VND)"
    )
    print(f"  compute only, in-process (raw limit): {raw.seconds:.1f} s ({n / raw.seconds:,.0f}/s)")
    print(
        f"  `aidledger payroll run` (start, compute, publish with acks=all): {cli_s:.1f} s"
        f" ({cli_cpu:.1f} s of CPU);"
        f" all events in the ledger ({args.workers} worker(s) running) {total_s:.1f} s after"
        f" the start, {total_s - cli_s:.1f} s after the command returned: {rate:,.0f}"
        " beneficiaries/s"
    )
    print(f"  projected for 1,000,000: {1_000_000 / rate:.0f} s (target < 180 s)")
    print(
        f"  peak RSS: `aidledger payroll run` {command_rss:.0f} MiB, worker {worker_rss:.0f} MiB"
        " (the largest of the command and its publisher child)"
    )
    print_bench(
        "payroll",
        round(rate, 1),
        "beneficiaries/s",
        raw_limit=round(n / raw.seconds, 1),
        target=f">= {1_000_000 / TARGET_SECONDS_PER_MILLION:.0f}",
        n=n,
        seconds=round(total_s, 2),
        command_seconds=round(cli_s, 2),
        events=dry.events,
        workers=args.workers,
        command_peak_rss_mb=round(command_rss),
        worker_peak_rss_mb=round(worker_rss),
    )


def _listed_vnd(ledger: Ledger, month: str) -> int:
    with ledger.engine.connect() as conn:
        total = conn.exec_driver_sql(
            "SELECT coalesce(sum(total_vnd), 0) FROM ledger.payroll_lists WHERE month = %(m)s",
            {"m": month},
        ).scalar_one()
    return int(total)


if __name__ == "__main__":
    main()
