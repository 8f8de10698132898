"""Post-office import and reconciliation: an N-row disbursement report, streamed end to end.

    python bench/reconcile.py --n 100000 [--workers 1]

Seeds issued lists with N lines (500 per commune list, 10 communes per post office) and the
month's funds, writes an N-row CSV report with every kind of outcome (paid in full, partial,
not collected, overpaid, paid twice, off the list, missing), then times it as it runs in
production, with ``--workers`` `aidledger worker` processes running: `aidledger postoffice
import FILE` (validate every row, resolve against the lists, publish with acks=all), until the
workers have every published event in the ledger, then `aidledger reconcile --format csv`
(classify every line, totals). Target: 1,000,000 rows in < 120 s, < 1 GiB.
The raw limit is reading and validating the file alone (no database, no broker).
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
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
from connectors.postoffice.layout import REPORT_REQUIRED
from connectors.postoffice.report_rows import parse_row, raw_rows
from ledger.ledger import open_ledger
from ledger.payroll.facts import Place
from ledger.payroll.issue import list_event, list_id
from ledger.payroll.projector import PayrollProjector
from ledger.reconciliation.projector import ReconciliationProjector
from ledger.reconciliation.report import reconcile as reconcile_month
from schemas import Event, make_event
from schemas.payments import (
    Component,
    FundsTransferred,
    PaymentLine,
    TransferDirection,
)

MONTH, AMOUNT, PER_LIST, LISTS_PER_OFFICE = "2025-03", 750_000, 500, 10
TARGET_SECONDS_PER_MILLION = 120.0
#: What `aidledger postoffice import` says it published (Rich may wrap it anywhere).
_PUBLISHED = re.compile(r"published\s+(\d+)\s+payments\s+and\s+(\d+)\s+not\s+collected")


def _place(k: int) -> tuple[Place, str]:
    commune = f"{10000 + k:05d}"
    district = f"{100 + k // LISTS_PER_OFFICE % 900:03d}"
    return Place("84", district, commune), f"VNPOST-{district}"


def seed_lists(n: int) -> Iterator[list[Event]]:
    """Batches of list events holding N lines in total, and each office's deposit."""
    batch: list[Event] = []
    offices: dict[str, int] = {}
    for k in range((n + PER_LIST - 1) // PER_LIST):
        place, office = _place(k)
        size = min(PER_LIST, n - k * PER_LIST)
        lines = [
            PaymentLine(
                line_no=i + 1,
                person_id=f"P{k:05d}{i:04d}",
                full_name=f"Người {i}",
                commune_code=place.commune,
                components={Component.REGULAR: AMOUNT},
                amount_vnd=AMOUNT,
            )
            for i in range(size)
        ]
        batch.append(list_event(MONTH, place, office, 0, lines))
        offices[office] = offices.get(office, 0) + size * AMOUNT
        if len(batch) >= 40:
            yield batch
            batch = []
    at = datetime(2025, 2, 25, tzinfo=UTC)
    batch += [
        make_event(
            FundsTransferred,
            transfer_id=f"T-{office}",
            province_code="84",
            direction=TransferDirection.TO_POST_OFFICE,
            post_office_code=office,
            month=MONTH,
            amount_vnd=amount,
            occurred_at=at,
            recorded_at=at,
        )
        for office, amount in offices.items()
    ]
    yield batch


def write_report_file(path: Path, n: int) -> int:
    """An N-line report: mostly paid in full, with every kind of discrepancy mixed in."""
    rows = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([*REPORT_REQUIRED, "proxy_name"])
        for g in range(n):
            k, i = divmod(g, PER_LIST)
            ident = list_id(MONTH, _place(k)[0].commune, 0)
            person, kind = f"P{k:05d}{i:04d}", g % 100
            paid = f"2025-03-{3 + g % 20:02d} 09:{g % 60:02d}"
            if kind == 0:
                continue  # missing from the report
            if kind == 1:
                writer.writerow([ident, i + 1, person, "", paid, "", "", "absent", ""])
            else:
                amount = {2: 500_000, 3: 800_000}.get(kind, AMOUNT)
                writer.writerow([ident, i + 1, person, amount, paid, f"R{g}", "self", "", ""])
                if kind == 4:  # paid twice
                    writer.writerow(
                        [ident, i + 1, person, AMOUNT, paid, f"R{g}b", "proxy", "", "Trần Thị B"]
                    )
                    rows += 1
                if kind == 5 and g % 1000 == 5:  # paid to someone not on the list
                    writer.writerow(
                        [ident, PER_LIST + 1, f"X{g}", AMOUNT, paid, f"RX{g}", "self", "", ""]
                    )
                    rows += 1
            rows += 1
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100_000, help="listed lines / report rows")
    parser.add_argument("--workers", type=int, default=1, help="aidledger worker processes")
    args = parser.parse_args()
    n = args.n
    with postgres_url() as url, kafka_bootstrap() as bootstrap, scratch_dir() as tmp:
        ledger = open_ledger(url, projectors=[PayrollProjector(), ReconciliationProjector()])
        with Timer() as seed:
            for batch in seed_lists(n):
                ledger.append(batch)
        report = tmp / "report.csv"
        rows = write_report_file(report, n)
        print(f"seeded {n:,} listed lines in {seed.seconds:.1f} s; report of {rows:,} rows")
        with Timer() as raw:
            for number, values in raw_rows(report):
                parse_row(number, values)
        prefix = topic_prefix(bootstrap)
        env = {**service_env(url, bootstrap, prefix, tmp), "COLUMNS": "200"}
        conn = connect(url)
        before = ledger_count(conn)
        with workers(url, bootstrap, prefix, args.workers, tmp, "reconcile") as group:
            group.wait_assigned()
            started = time.perf_counter()
            imported = run_command(env, "postoffice", "import", str(report))
            import_s = time.perf_counter() - started
            counts = _PUBLISHED.search(imported.stdout)
            if counts is None:
                raise SystemExit(f"unexpected import output:\n{imported.stdout[-2000:]}")
            published = int(counts[1]) + int(counts[2])
            in_ledger = group.wait_for(conn, before + published)
            reconciled = run_command(
                env, "reconcile", "--month", MONTH, "--province", "84", "--format", "csv",
                "--out", str(tmp / "recon.csv"),
            )  # fmt: skip
            done = time.perf_counter()
            import_rss = imported.peak_mb
            commands_rss = max(import_rss, reconciled.peak_mb)
            worker_rss = group.peak_mb()
        conn.close()
        recon = reconcile_month(ledger.engine, MONTH, "84", None)
        ledger.close()
    total = done - started
    rate = rows / total
    t = recon.totals
    if sum(t.lines.values()) < n:
        raise SystemExit(f"reconciliation classified {sum(t.lines.values())} of {n} lines")
    print(
        f"import: `aidledger postoffice import` {import_s:.1f} s for {rows:,} rows, {published:,}"
        f" events published; all in the ledger ({args.workers} worker(s) running)"
        f" {in_ledger - started:.1f} s after the start; `aidledger reconcile --format csv`"
        f" {done - in_ledger:.1f} s"
    )
    print(
        f"reconcile: listed {t.listed_vnd:,}, paid {t.paid_vnd:,}, "
        f"unpaid {t.unpaid_vnd:,}, variance {t.variance_vnd:,} VND; "
        + ", ".join(f"{k} {v:,}" for k, v in sorted(t.lines.items()))
    )
    print(
        f"  read+validate only (raw limit): {raw.seconds:.1f} s ({rows / raw.seconds:,.0f} rows/s)"
    )
    print(
        f"  import + ledger + reconcile: {total:.1f} s ({rate:,.0f} rows/s); projected for "
        f"1,000,000: {1_000_000 / rate:.0f} s (target < 120 s); peak RSS: import and reconcile"
        f" commands {commands_rss:.0f} MiB (import {import_rss:.0f}), worker"
        f" {worker_rss:.0f} MiB"
    )
    print_bench(
        "reconcile",
        round(rate, 1),
        "rows/s",
        raw_limit=round(rows / raw.seconds, 1),
        target=f">= {1_000_000 / TARGET_SECONDS_PER_MILLION:.0f}",
        n=n,
        rows=rows,
        seconds=round(total, 2),
        import_s=round(import_s, 2),
        reconcile_s=round(done - in_ledger, 2),
        workers=args.workers,
        worker_peak_rss_mb=round(worker_rss),
    )


if __name__ == "__main__":
    main()
