"""Disbursement report rows: each validated on its own, errors name the column."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from connectors.postoffice.report_rows import (
    ReportUnreadable,
    RowProblem,
    parse_row,
    raw_rows,
)
from ledger.reconciliation.rows import DISBURSED, NOT_COLLECTED, ReportRow

PAID = {
    "list_id": "PL-2025-03-84201",
    "line_no": "3",
    "person_id": "P1",
    "amount_paid_vnd": "750000",
    "paid_at": "2025-03-05 09:30",
    "receipt_no": "R1",
    "collected_by": "self",
    "not_collected_reason": "",
}


def test_a_paid_row_in_vietnam_time_is_stored_in_utc() -> None:
    row = parse_row(2, PAID)
    assert (row.kind, row.amount_vnd, row.line_no) == (DISBURSED, 750_000, 3)
    assert row.at == datetime(2025, 3, 5, 2, 30, tzinfo=UTC)


def test_a_payment_into_the_persons_account_is_a_paid_row_with_its_transfer_reference() -> None:
    row = parse_row(2, {**PAID, "collected_by": "Bank_Account", "receipt_no": "FT25064123456"})

    assert (row.kind, row.collected_by, row.receipt_no) == (
        DISBURSED,
        "bank_account",
        "FT25064123456",
    )


def test_a_not_collected_row_without_an_amount_means_the_listed_amount() -> None:
    row = parse_row(
        2,
        {
            **PAID,
            "amount_paid_vnd": "",
            "receipt_no": "",
            "collected_by": "",
            "not_collected_reason": "Absent",
        },
    )
    assert (row.kind, row.amount_vnd, row.reason) == (NOT_COLLECTED, None, "absent")


@pytest.mark.parametrize(
    ("change", "column"),
    [
        ({"amount_paid_vnd": "750000.5"}, "amount_paid_vnd"),
        ({"amount_paid_vnd": "0"}, "amount_paid_vnd"),
        ({"amount_paid_vnd": "５０００００"}, "amount_paid_vnd"),
        ({"line_no": "²"}, "line_no"),
        ({"person_id": "Pé01"}, "person_id"),
        ({"paid_at": "5/3/2025"}, "paid_at"),
        ({"receipt_no": ""}, "receipt_no"),
        ({"collected_by": "neighbour"}, "collected_by"),
        ({"not_collected_reason": "lost"}, "not_collected_reason"),
        ({"line_no": "0"}, "line_no"),
        ({"person_id": ""}, "person_id"),
        ({"list_id": "PL 2025"}, "list_id"),
        # What no event may hold must be a row problem, not a failure half-way through
        # publishing: amounts above 10^15 đồng, line numbers beyond a database integer,
        # a receipt or a proxy's name longer than an event keeps, a time out of range.
        ({"amount_paid_vnd": str(10**15 + 1)}, "amount_paid_vnd"),
        ({"amount_paid_vnd": str(2**63)}, "amount_paid_vnd"),
        ({"line_no": str(2**31)}, "line_no"),
        ({"receipt_no": "R" * 65}, "receipt_no"),
        ({"collected_by": "proxy", "proxy_name": "N" * 201}, "proxy_name"),
        ({"proxy_name": "Lê\x00Văn A"}, "proxy_name"),
        ({"paid_at": "0001-01-01"}, "paid_at"),
    ],
)
def test_a_bad_row_is_refused_naming_the_column(change: dict[str, str], column: str) -> None:
    with pytest.raises(RowProblem, match=column):
        parse_row(2, {**PAID, **change})


def test_the_largest_values_an_event_holds_are_accepted() -> None:
    row = parse_row(
        2,
        {
            **PAID,
            "amount_paid_vnd": str(10**15),
            "line_no": str(2**31 - 1),
            "receipt_no": "R" * 64,
            "collected_by": "proxy",
            "proxy_name": "N" * 200,
        },
    )
    assert (row.amount_vnd, row.line_no, len(row.receipt_no or ""), len(row.proxy_name or "")) == (
        10**15,
        2**31 - 1,
        64,
        200,
    )


def test_a_record_with_more_fields_than_the_header_is_refused_not_cut(tmp_path: Path) -> None:
    # An unquoted thousands separator or a comma in a name splits a field: read as it was,
    # "750,000" in the last column would have been 750 đồng, "Nguyen, Van A" just "Nguyen".
    header = "list_id,line_no,person_id,paid_at,receipt_no,collected_by,not_collected_reason"
    path = tmp_path / "r.csv"
    path.write_text(
        f"{header},amount_paid_vnd\n"
        "PL-1,1,P1,2025-03-05,R1,self,,750,000\n"
        "PL-1,2,P2,2025-03-05,R2,self,,750000,,\n",  # trailing empty fields are harmless
        encoding="utf-8",
    )
    rows = list(raw_rows(path))

    with pytest.raises(RowProblem, match="1 more field"):
        parse_row(*rows[0])
    assert parse_row(*rows[1]).amount_vnd == 750_000


def test_a_report_not_in_utf8_is_unreadable_and_says_how_to_save_it(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    rows = [",".join(PAID), *[",".join(PAID.values())] * 3, "PL-1,9,P9,1,2025-03-05,R9,proxy,"]
    text = "\n".join(rows) + ",Nguyễn Văn A\n"
    path.write_bytes(text.encode("cp1258", errors="replace"))  # as Excel saves "CSV" in Vietnam

    with pytest.raises(ReportUnreadable, match=r"not UTF-8 text .* save the report as CSV UTF-8"):
        list(raw_rows(path))


def test_a_report_without_the_required_columns_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("list_id,line_no\nPL-1,1\n", encoding="utf-8")
    with pytest.raises(ReportUnreadable, match="missing: person_id"):
        list(raw_rows(path))


def test_blank_rows_carry_nothing_and_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    header = ",".join(PAID)
    path.write_text(f"{header}\n,,,,,,,\n{','.join(PAID.values())}\n", encoding="utf-8")
    assert [n for n, _ in raw_rows(path)] == [3]


def test_a_rows_digest_is_sha256_of_its_fields_joined_by_unit_separators_none_as_empty() -> None:
    # Stored with every imported row and compared with later imports: it must never change.
    at = datetime(2025, 3, 10, 2, 30, tzinfo=UTC)
    paid = ReportRow(DISBURSED, "L-1", 7, "P1", "PO1", 540_000, at, "R7", "proxy", "Lê Văn A")
    fields = ["disbursed", "L-1", "7", "P1", "PO1", "540000", "2025-03-10T02:30:00+00:00"]
    expected = hashlib.sha256("\x1f".join([*fields, "R7", "proxy", "Lê Văn A", ""]).encode())
    assert paid.digest() == expected.hexdigest()
    assert paid.digest(at.isoformat()) == expected.hexdigest()
    kept = ReportRow(NOT_COLLECTED, "L-1", 7, "P1", "PO1", 540_000, at, reason="away")
    fields[0] = "not_collected"
    expected = hashlib.sha256("\x1f".join([*fields, "", "", "", "away"]).encode())
    assert kept.digest() == expected.hexdigest()


def test_a_line_number_that_is_not_a_number_is_not_called_an_amount_of_dong() -> None:
    with pytest.raises(RowProblem) as refused:
        parse_row(2, {**PAID, "line_no": "x"})

    assert str(refused.value) == "line_no must be a whole number, got 'x'"


def test_an_amount_split_by_its_comma_before_blank_last_columns_is_named_as_the_cause(
    tmp_path: Path,
) -> None:
    # The columns in the order of docs/formats.md, the optional last ones left empty: the
    # split pushes an empty field past the header, and "000" lands in paid_at.
    path = tmp_path / "r.csv"
    path.write_text(
        "list_id,line_no,person_id,amount_paid_vnd,paid_at,receipt_no,collected_by,"
        "not_collected_reason,proxy_name,post_office_code\n"
        "PL-1,1,P1,750,000,2025-03-05,R1,self,,,\n",
        encoding="utf-8",
    )

    with pytest.raises(RowProblem, match=r"1 more field.*750,000"):
        parse_row(*next(raw_rows(path)))
