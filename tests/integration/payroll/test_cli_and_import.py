"""The commands on the real broker and PostgreSQL; refused report files publish nothing."""

from __future__ import annotations

import importlib
from datetime import date
from pathlib import Path

import pytest
from kafka import KafkaConsumer

from connectors.cli.app import run
from connectors.jsonl import FileRefused
from connectors.postoffice import report_copy, report_rows
from connectors.postoffice.report_import import ImportStopped, import_report
from connectors.topics import topic_name
from ledger.ledger import Ledger
from ledger.payroll.run import PayrollScope, run_payroll
from schemas.eligibility import BeneficiaryGroup as G
from schemas.envelope import Event
from schemas.payments import ReconciliationClosed as Closed
from schemas.registry import parse_event
from tests.unit.payroll.builders import History, funds_transfer

pytestmark = pytest.mark.integration

HEADER = (
    "list_id,line_no,person_id,amount_paid_vnd,paid_at,receipt_no,collected_by,"
    "not_collected_reason\n"
)


@pytest.fixture
def cli_env(
    monkeypatch: pytest.MonkeyPatch, payroll_db_url: str, kafka_bootstrap: str, topic_prefix: str
) -> str:
    monkeypatch.setenv("DATABASE_URL", payroll_db_url)
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", kafka_bootstrap)
    monkeypatch.setenv("AIDLEDGER_TOPIC_PREFIX", topic_prefix)
    monkeypatch.setattr(importlib.import_module("connectors.cli.app"), "_cached", [])
    return topic_prefix


def _published(bootstrap: str, prefix: str) -> list[Event]:
    consumer = KafkaConsumer(
        topic_name("aid.payments", prefix),
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        consumer_timeout_ms=3_000,
        enable_auto_commit=False,
    )
    try:
        return [parse_event(record.value) for record in consumer]
    finally:
        consumer.close()


def _one_person(ledger: Ledger) -> None:
    """P1, with a severe disability, granted from March 2025 (750,000 VND a month)."""
    ledger.append(History("P1", born=date(1970, 1, 1)).grant(G.DISABILITY_SEVERE, "2025-03").events)


def test_payroll_run_publishes_accruals_and_lists_to_kafka(
    cli_env: str,
    payroll_ledger: Ledger,
    kafka_bootstrap: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _one_person(payroll_ledger)
    assert run(["payroll", "run", "--month", "2025-03", "--province", "84"]) == 0
    assert "1 lists" in capsys.readouterr().out
    types = sorted(e.event_type for e in _published(kafka_bootstrap, cli_env))
    assert types == ["AllowanceAccrued", "PaymentListIssued"]


def test_a_bad_month_is_wrong_usage(cli_env: str) -> None:
    assert run(["payroll", "run", "--month", "2025-13", "--province", "84"]) == 2


def test_a_report_with_bad_rows_is_refused_whole_and_nothing_is_published(
    payroll_ledger: Ledger,
    tmp_path: Path,
) -> None:
    _one_person(payroll_ledger)
    run_payroll(payroll_ledger.engine, PayrollScope("2025-03", "84"), payroll_ledger.append)
    path = tmp_path / "bad.csv"
    path.write_text(
        HEADER
        + "PL-2025-03-84201,1,P1,750000,2025-03-05,R1,self,\n"
        + "PL-2025-03-84201,1,P1,12.5,2025-03-05,R2,self,\n"
        + "PL-UNKNOWN,1,P9,750000,2025-03-05,R3,self,\n",
        encoding="utf-8",
    )
    published: list[Event] = []
    with pytest.raises(FileRefused, match="row 3: amount_paid_vnd") as refused:
        import_report(payroll_ledger.engine, path, published.extend)
    assert published == [] and len(refused.value.problems) == 1
    path.write_text(HEADER + "PL-UNKNOWN,1,P9,750000,2025-03-05,R3,self,\n", encoding="utf-8")
    with pytest.raises(FileRefused, match="row 2: list PL-UNKNOWN is unknown"):
        import_report(payroll_ledger.engine, path, published.extend)
    assert published == []
    result = import_report(payroll_ledger.engine, path, published.extend, post_office="VNPOST-842")
    assert result.disbursed == 1 and published[0].post_office_code == "VNPOST-842"  # type: ignore[attr-defined]


def test_a_not_collected_row_takes_the_listed_amount_and_is_refused_for_a_line_not_listed(
    payroll_ledger: Ledger, tmp_path: Path
) -> None:
    _one_person(payroll_ledger)
    run_payroll(payroll_ledger.engine, PayrollScope("2025-03", "84"), payroll_ledger.append)
    path = tmp_path / "absent.csv"
    path.write_text(HEADER + "PL-2025-03-84201,99,P1,,2025-03-05,,,absent\n", encoding="utf-8")
    published: list[Event] = []
    with pytest.raises(FileRefused, match="row 2: not collected with no amount, and list "):
        import_report(payroll_ledger.engine, path, published.extend)
    path.write_text(HEADER + "PL-2025-03-84201,1,P1,,2025-03-05,,,absent\n", encoding="utf-8")

    result = import_report(payroll_ledger.engine, path, published.extend)

    assert (result.not_collected, len(published)) == (1, 1)
    assert published[0].amount_vnd == 750_000  # type: ignore[attr-defined]


def test_a_row_repeated_in_one_file_is_imported_once_and_a_changed_repeat_is_a_conflict(
    payroll_ledger: Ledger, tmp_path: Path
) -> None:
    _one_person(payroll_ledger)
    run_payroll(payroll_ledger.engine, PayrollScope("2025-03", "84"), payroll_ledger.append)
    paid = "PL-2025-03-84201,1,P1,750000,2025-03-05,R1,self,\n"
    path = tmp_path / "repeats.csv"
    path.write_text(
        HEADER + paid + paid + "PL-2025-03-84201,1,P1,700000,2025-03-05,R1,self,\n",
        encoding="utf-8",
    )
    published: list[Event] = []

    result = import_report(payroll_ledger.engine, path, published.extend)

    assert (result.disbursed, result.already_imported, len(published)) == (1, 1, 1)
    assert published[0].report_row == 2  # type: ignore[attr-defined]
    assert len(result.conflicts) == 1 and result.conflicts[0].startswith("row 4: list")


def test_a_large_report_validated_by_two_processes_imports_every_row_once(
    payroll_ledger: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(report_copy, "SHARED_FROM_BYTES", 0)
    monkeypatch.setattr(report_copy, "CHUNK_ROWS", 25)
    rows = [f"PL-UNKNOWN,{n},P{n},750000,2025-03-05,R{n},self,\n" for n in range(1, 401)]
    bad = list(rows)
    bad[99] = "PL-UNKNOWN,100,P100,-1,x,,self,\n"  # row 101 of the file
    bad[299] = "PL-UNKNOWN,300,,750000,2025-03-05,R300,self,\n"  # row 301
    path = tmp_path / "large.csv"
    path.write_text(HEADER + "".join(bad), encoding="utf-8")
    published: list[Event] = []
    with pytest.raises(FileRefused) as refused:
        import_report(payroll_ledger.engine, path, published.extend, post_office="VNPOST-842")
    assert [p.split(":")[0] for p in refused.value.problems] == ["row 101", "row 301"]
    assert published == []

    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    result = import_report(payroll_ledger.engine, path, published.extend, post_office="VNPOST-842")

    assert (result.rows, result.disbursed) == (400, 400)
    assert sorted(e.line_no for e in published) == list(range(1, 401))  # type: ignore[attr-defined]


def test_transfer_and_fee_commands_publish_the_funds_and_a_repeated_transfer_is_a_no_op(
    cli_env: str,
    payroll_ledger: Ledger,
    tmp_path: Path,
    kafka_bootstrap: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _one_person(payroll_ledger)
    run_payroll(payroll_ledger.engine, PayrollScope("2025-03", "84"), payroll_ledger.append)
    transfer = [
        "postoffice", "transfer", "--month", "2025-03", "--province", "84",
        "--post-office", "VNPOST-842", "--amount", "750000", "--ref", "UNC-0224",
        "--on", "2025-02-24", "--operator", "Lê Thị B",
    ]  # fmt: skip
    assert run(transfer) == 0
    assert "recorded VNPOST-842 2025-03: deposited 750,000 VND (UNC-0224" in capsys.readouterr().out
    (deposit,) = _published(kafka_bootstrap, cli_env)
    payroll_ledger.append([deposit])  # as the stream worker does
    assert run(transfer) == 0
    assert "already recorded" in capsys.readouterr().out
    assert run([*transfer[:9], "750001", *transfer[10:]]) == 3  # same reference, other amount
    assert "already recorded at ledger sequence" in capsys.readouterr().err

    fee = ["postoffice", "fee", "--month", "2025-03", "--province", "84"]
    fee += ["--post-office", "VNPOST-842", "--rate", "0.0045"]
    assert run(fee) == 3
    assert "nothing is reported paid for 2025-03" in capsys.readouterr().err
    report = tmp_path / "paid.csv"
    report.write_text(HEADER + "PL-2025-03-84201,1,P1,750000,2025-03-05,R1,self,\n")
    import_report(payroll_ledger.engine, report, payroll_ledger.append)
    assert run(fee) == 0
    assert "fee VNPOST-842 2025-03: 0.0045 of 750,000 VND paid = 3,375 VND" in (
        capsys.readouterr().out
    )
    published = _published(kafka_bootstrap, cli_env)
    assert [e.event_type for e in published] == ["FundsTransferred", "PostOfficeFeeCharged"]
    assert published[0].source.operator == "Lê Thị B"

    # Closing with 100,000 VND deposited that nobody was paid nor returned: closed, and said.
    payroll_ledger.append([funds_transfer(100_000, "UNC-0225", date(2025, 2, 25))])
    close = ["reconcile", "close", "--month", "2025-03", "--province", "84"]
    assert run([*close, "--post-office", "VNPOST-842"]) == 0
    captured = capsys.readouterr()
    assert "closed 2025-03 for VNPOST-842: listed 750,000, paid 750,000, unpaid 0" in (
        " ".join(captured.out.split())
    )
    assert "100,000 VND of the funds are unaccounted for" in " ".join(captured.err.split())
    (closed,) = [e for e in _published(kafka_bootstrap, cli_env) if isinstance(e, Closed)]
    assert closed.as_of_sequence == payroll_ledger.head()[0]  # nothing appended since
    assert f"as of ledger sequence {closed.as_of_sequence:,}" in " ".join(captured.out.split())


def test_a_dry_run_reports_the_payroll_and_publishes_nothing(
    cli_env: str,
    payroll_ledger: Ledger,
    kafka_bootstrap: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _one_person(payroll_ledger)

    assert run(["payroll", "run", "--month", "2025-03", "--province", "84", "--dry-run"]) == 0

    out = " ".join(capsys.readouterr().out.split())
    assert "dry run, nothing published: payroll 2025-03 province 84: 1 people" in out
    assert "1 lists (0 supplementary), 1 lines, 750,000 VND listed; 2 events computed" in out
    assert _published(kafka_bootstrap, cli_env) == []  # a real run's events are read here


def test_a_not_collected_row_with_a_receipt_imported_again_changes_nothing(
    payroll_ledger: Ledger, tmp_path: Path
) -> None:
    # The receipt is optional on a not-collected row and its event does not hold one: the
    # row's content compared with the stored row's must leave it out on both sides.
    _one_person(payroll_ledger)
    run_payroll(payroll_ledger.engine, PayrollScope("2025-03", "84"), payroll_ledger.append)
    path = tmp_path / "r.csv"
    path.write_text(HEADER + "PL-2025-03-84201,1,P1,,2025-03-05,NC-1,,absent\n", "utf-8")
    assert import_report(payroll_ledger.engine, path, payroll_ledger.append).not_collected == 1

    again = import_report(payroll_ledger.engine, path, payroll_ledger.append)

    assert (again.already_imported, again.not_collected, again.conflicts) == (1, 0, [])


def test_a_report_imported_again_on_a_server_in_vietnam_time_changes_nothing(
    payroll_ledger: Ledger, tmp_path: Path
) -> None:
    # A server initialised on a machine set to Vietnam time hands timestamps back at +07:00;
    # the stored rows' content was hashed from the events' UTC times.
    _one_person(payroll_ledger)
    run_payroll(payroll_ledger.engine, PayrollScope("2025-03", "84"), payroll_ledger.append)
    path = tmp_path / "r.csv"
    path.write_text(HEADER + "PL-2025-03-84201,1,P1,750000,2025-03-05 09:30,R1,self,\n", "utf-8")
    assert import_report(payroll_ledger.engine, path, payroll_ledger.append).disbursed == 1
    with payroll_ledger.engine.connect() as conn:
        database = conn.exec_driver_sql("SELECT current_database()").scalar_one()
        conn.exec_driver_sql(f"ALTER DATABASE \"{database}\" SET timezone TO 'Asia/Ho_Chi_Minh'")
        conn.commit()
    payroll_ledger.engine.dispose()  # new sessions take the database's time zone

    again = import_report(payroll_ledger.engine, path, payroll_ledger.append)

    with payroll_ledger.engine.connect() as conn:
        assert conn.exec_driver_sql("SHOW timezone").scalar_one() == "Asia/Ho_Chi_Minh"
        conn.exec_driver_sql(f'ALTER DATABASE "{database}" RESET timezone')
        conn.commit()
    payroll_ledger.engine.dispose()
    assert (again.already_imported, again.disbursed, again.conflicts) == (1, 0, [])


def test_a_row_that_makes_no_valid_event_stops_the_import_naming_it(
    payroll_ledger: Ledger, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The row checks mirror what an event may hold; were they ever to let a row through that
    # makes no valid event, the import stops at that row and says what it published.
    monkeypatch.setattr(report_rows, "MAX_VND", 10**16)
    rows = [f"PL-X,{n},P{n},750000,2025-03-05,R{n},self,\n" for n in range(1, 11)]
    rows.append(f"PL-X,11,P11,{10**16},2025-03-05,R11,self,\n")
    path = tmp_path / "r.csv"
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    published: list[Event] = []

    with pytest.raises(ImportStopped) as stopped:
        import_report(
            payroll_ledger.engine, path, published.extend, post_office="VNPOST-842", batch_size=1
        )

    assert "row 12" in str(stopped.value) and "amount_paid_vnd" in str(stopped.value)
    assert f"after publishing {len(published)} events" in str(stopped.value)
    assert stopped.value.exit_code == 3
