"""Ledger append throughput: N mixed events in batches, against a raw COPY of the same rows.

    python bench/ledger_append.py --n 200000 [--batch 5000]

Generates accruals, disbursements, registrations, BHYT cards and relief handouts across many
persons (in memory, with schemas.make_event), appends them in batches through
Ledger.append_all (hash chain, journal, postings, balances, coverage, in one transaction per
batch; the next batch is prepared while the server writes the current one), then COPYs the
same canonical payloads into a plain table (ids + one bytea column) to show the raw limit.
``--single`` also times Ledger.append batch by batch, as a stream worker calls it.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import Timer, current_rss_mb, postgres_url, print_bench, server_cpu
from schemas import Event, canonical_json, make_event
from schemas.eligibility import BeneficiaryRegistered
from schemas.health_insurance import HealthInsuranceCardIssued
from schemas.months import add_months
from schemas.payments import AllowanceAccrued, PaymentDisbursed
from schemas.relief import ReliefItemHandedOut

TARGET = 30_000
T0 = datetime(2024, 1, 5, 8, tzinfo=UTC)


def generate(n: int) -> list[Event]:
    """N events, per person in a realistic order: registered, card, then months of pay."""
    events: list[Event] = []
    person = 0
    while len(events) < n:
        pid, commune = f"P{person:07d}", f"{person % 90000 + 10000:05d}"
        at = T0 + timedelta(seconds=person)
        events.append(
            make_event(
                BeneficiaryRegistered,
                person_id=pid,
                full_name=f"Người {person}",
                birth_date=date(1940 + person % 50, 1 + person % 12, 1),
                sex="female" if person % 2 else "male",
                province_code="84",
                district_code="842",
                commune_code=commune,
                occurred_at=at,
                recorded_at=at,
            )
        )
        events.append(
            make_event(
                HealthInsuranceCardIssued,
                person_id=pid,
                card_number=f"BT2{84}{person:010d}",
                valid_from=date(2024, 1, 1),
                valid_to=date(2024, 12, 31),
                premium_vnd=842_400,
                issuer="BHXH Trà Vinh",
                province_code="84",
                occurred_at=at,
                recorded_at=at,
            )
        )
        for k in range(6):
            month = add_months("2024-01", k)
            paid = at + timedelta(days=30 * k + 3)
            events.append(
                make_event(
                    AllowanceAccrued,
                    person_id=pid,
                    month=month,
                    service_month=month,
                    component="regular",
                    amount_vnd=540_000,
                    province_code="84",
                    commune_code=commune,
                    occurred_at=paid,
                    recorded_at=paid,
                )
            )
            events.append(
                make_event(
                    PaymentDisbursed,
                    list_id=f"L-{month}-{commune}",
                    line_no=person % 5000 + 1,
                    person_id=pid,
                    post_office_code=f"PO{person % 40:02d}",
                    amount_paid_vnd=540_000,
                    paid_at=paid,
                    receipt_no=f"R{person}-{k}",
                    collected_by="self",
                    occurred_at=paid,
                    recorded_at=paid,
                )
            )
        events.append(
            make_event(
                ReliefItemHandedOut,
                campaign_id="TET-2024",
                donor_id=f"D{person % 25}",
                item_code="RICE-10KG",
                quantity=1 + person % 3,
                unit="bag",
                unit_value_vnd=180_000,
                distribution_point="UBND xã",
                province_code="84",
                district_code="842",
                commune_code=commune,
                person_id=pid,
                occurred_at=at,
                recorded_at=at,
            )
        )
        person += 1
    return events[:n]


def prepared_rate(url: str, events: list[Event], batch: int) -> float:
    """Events/s when the next batch is prepared in a thread during the current append."""
    from concurrent.futures import ThreadPoolExecutor

    from ledger import open_ledger

    ledger = open_ledger(url, schema="ahead")
    batches = [events[start : start + batch] for start in range(0, len(events), batch)]
    with Timer() as t, ThreadPoolExecutor(1) as pool:
        pending = pool.submit(ledger.prepare, batches[0])
        for following in [*batches[1:], None]:
            ready = pending.result()
            if following is not None:
                pending = pool.submit(ledger.prepare, following)
            ledger.append(ready)
    ledger.close()
    rate = len(events) / t.seconds
    print(f"with the next batch prepared in a thread: {rate:,.0f} events/s")
    return rate


def single_rate(url: str, batches: list[list[Event]]) -> float:
    """Events/s of Ledger.append called batch by batch (what a stream worker does)."""
    from ledger import open_ledger

    ledger = open_ledger(url, schema="single")
    with Timer() as t:
        for batch in batches:
            ledger.append(batch)
    ledger.close()
    rate = sum(map(len, batches)) / t.seconds
    print(f"Ledger.append batch by batch: {rate:,.0f} events/s")
    return rate


def raw_copy_rate(url: str, payloads: list[bytes], ids: list[str], batch: int) -> float:
    """Events/s of COPYing (sequence, event_id, payload) into a plain table, batch commits."""
    import psycopg2
    from sqlalchemy.engine import make_url

    u = make_url(url)
    conn = psycopg2.connect(host=u.host, port=u.port, user=u.username, dbname=u.database)
    with conn.cursor() as cur:
        cur.execute("CREATE TABLE raw_events (sequence bigint, event_id uuid, payload bytea)")
    conn.commit()
    import io

    with Timer() as t:
        for start in range(0, len(payloads), batch):
            text = "".join(
                f"{start + i + 1}\t{ids[start + i]}\t\\\\x{p.hex()}\n"
                for i, p in enumerate(payloads[start : start + batch])
            )
            with conn.cursor() as cur:
                cur.copy_expert("COPY raw_events FROM STDIN", io.StringIO(text))
            conn.commit()
    conn.close()
    return len(payloads) / t.seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200_000, help="events to append")
    parser.add_argument("--batch", type=int, default=5_000, help="events per append")
    parser.add_argument(
        "--single",
        action="store_true",
        help="also time Ledger.append batch by batch, without the pipelining (second schema)",
    )
    parser.add_argument(
        "--prepare-ahead",
        action="store_true",
        help="also time Ledger.prepare of the next batch in a thread while the"
        " current one is appended (into a second schema)",
    )
    args = parser.parse_args()

    with Timer() as gen:
        events = generate(args.n)
    print(f"generated {len(events)} events in {gen.seconds:.1f} s (rss {current_rss_mb()} MiB)")

    from ledger import open_ledger, verify_chain

    with postgres_url() as url:
        ledger = open_ledger(url)
        server = server_cpu(url)
        own = time.process_time()
        batches = [
            events[start : start + args.batch] for start in range(0, len(events), args.batch)
        ]
        with Timer() as t:
            for batch, result in zip(batches, ledger.append_all(batches), strict=True):
                assert len(result.appended) == len(batch)
        rate = len(events) / t.seconds
        python_us = (time.process_time() - own) / len(events) * 1e6
        server_us = server.seconds() / len(events) * 1e6 if server else float("nan")
        print(
            f"ledger append: {len(events)} events in {t.seconds:.2f} s = {rate:,.0f} events/s"
            f" (Ledger.append_all, batches of {args.batch}: hash chain, journal, postings,"
            " balances, coverage)"
        )
        print(
            f"CPU per event: Python {python_us:.1f} us, PostgreSQL server {server_us:.1f} us "
            f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
        )
        with Timer() as replay:
            again = ledger.append(events[: args.batch])
        assert len(again.already_recorded) == min(args.batch, len(events))
        print(
            f"replay of one batch ({args.batch}): {replay.seconds * 1000:.0f} ms, "
            "all already recorded"
        )
        with Timer() as check:
            broken = verify_chain(ledger.engine)
        assert broken is None, str(broken)
        print(f"verify_chain over {len(events)} events: {check.seconds:.2f} s, intact")
        ledger.close()
        single = single_rate(url, batches) if args.single else None
        ahead = prepared_rate(url, events, args.batch) if args.prepare_ahead else None
        payloads = [bytes(memoryview(canonical_json(e))) for e in events]  # exact-size copies
        ids = [str(uuid.uuid4()) for _ in events]
        raw = raw_copy_rate(url, payloads, ids, args.batch)
        print(f"raw COPY of the same payloads (ids + bytea, no indexes): {raw:,.0f} events/s")
        print(
            f"ratio ledger / raw COPY: {rate / raw:.2f}; target >= {TARGET:,} events/s: "
            f"{'met' if rate >= TARGET else 'NOT met'}"
        )
    print_bench(
        "ledger_append",
        round(rate),
        "events/s",
        raw_limit=round(raw),
        target=f">= {TARGET}",
        n=len(events),
        seconds=round(t.seconds, 2),
        batch=args.batch,
        python_us_per_event=round(python_us, 1),
        prepare_ahead=round(ahead) if ahead else None,
        one_by_one=round(single) if single else None,
        postgres_us_per_event=round(server_us, 1),
    )


if __name__ == "__main__":
    main()
