"""ReconciliationProjector: post-office reports, funds, fees and closed months, set-based.

Matching disbursements against issued lines happens here as reports arrive: each row is stored
with its content hash and ledger sequence, so reconciliation is one query over these tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ledger.payroll.sql import SequencedCopy
from ledger.projectors import Numbered
from ledger.reconciliation.rows import REVERSED, row_of
from schemas.payments import (
    FundsTransferred,
    PaymentDisbursed,
    PaymentNotCollected,
    PaymentReversed,
    PostOfficeFeeCharged,
    ReconciliationClosed,
)

_REPORT_COLUMNS = (
    "event_id",
    "kind",
    "list_id",
    "line_no",
    "person_id",
    "post_office_code",
    "amount_vnd",
    "at",
    "receipt_no",
    "collected_by",
    "reason",
    "reverses",
    "report_id",
    "report_row",
    "row_hash",
    "sequence",
)
_FUND_COLUMNS = (
    "event_id",
    "kind",
    "province_code",
    "post_office_code",
    "month",
    "amount_vnd",
    "sequence",
)
_CLOSE_COLUMNS = (
    "event_id",
    "province_code",
    "post_office_code",
    "month",
    "totals_digest",
    "as_of_sequence",
    "sequence",
)
FEE = "fee"
_REPORTED = (PaymentDisbursed, PaymentNotCollected)


class ReconciliationProjector:
    """Keeps postoffice_reports, postoffice_funds and reconciliation_closes."""

    name = "reconciliation"

    def project(self, conn: Any, batch: Sequence[Numbered]) -> None:
        self.stage(batch).write(conn, 0)

    def stage(self, batch: Sequence[Numbered]) -> _Rows:
        """The batch's rows, rendered; written by ``write`` (a pipelined append stages them
        before it holds the chain lock)."""
        reports: list[tuple[object, ...]] = []
        funds: list[tuple[object, ...]] = []
        closes: list[tuple[object, ...]] = []
        for stored in batch:
            e = stored.event
            if isinstance(e, _REPORTED):
                # The uuid column takes 32 hex digits too; UUID.hex is a third of str(UUID).
                row = row_of(e)
                at = row.at.isoformat()
                reports.append(
                    (
                        e.event_id.hex,
                        row.kind,
                        e.list_id,
                        e.line_no,
                        e.person_id,
                        e.post_office_code,
                        row.amount_vnd,
                        at,
                        row.receipt_no,
                        row.collected_by,
                        row.reason,
                        None,
                        e.report_id,
                        e.report_row,
                        row.digest(at),
                        stored.sequence,
                    )
                )
            elif isinstance(e, PaymentReversed):
                reports.append(
                    (
                        str(e.event_id),
                        REVERSED,
                        e.list_id,
                        e.line_no,
                        e.person_id,
                        e.post_office_code,
                        e.amount_vnd,
                        e.occurred_at.isoformat(),
                        None,
                        None,
                        e.reason,
                        str(e.reverses_event_id),
                        e.report_id,
                        e.report_row,
                        None,
                        stored.sequence,
                    )
                )
            elif isinstance(e, FundsTransferred):
                funds.append(
                    (
                        str(e.event_id),
                        e.direction.value,
                        e.province_code,
                        e.post_office_code,
                        e.month,
                        e.amount_vnd,
                        stored.sequence,
                    )
                )
            elif isinstance(e, PostOfficeFeeCharged):
                funds.append(
                    (
                        str(e.event_id),
                        FEE,
                        e.province_code,
                        e.post_office_code,
                        e.month,
                        e.fee_vnd,
                        stored.sequence,
                    )
                )
            elif isinstance(e, ReconciliationClosed):
                closes.append(
                    (
                        str(e.event_id),
                        e.province_code,
                        e.post_office_code,
                        e.month,
                        e.totals_digest,
                        e.as_of_sequence,
                        stored.sequence,
                    )
                )
        return _Rows(
            SequencedCopy("postoffice_reports", _REPORT_COLUMNS, reports),
            SequencedCopy("postoffice_funds", _FUND_COLUMNS, funds),
            SequencedCopy("reconciliation_closes", _CLOSE_COLUMNS, closes),
        )


class _Rows:
    """One batch's rows of the three tables (each with the ledger sequence last)."""

    def __init__(self, *tables: SequencedCopy) -> None:
        self.tables = [t for t in tables if len(t)]

    def write(self, conn: Any, shift: int) -> None:
        if self.tables:
            with conn.cursor() as cur:
                for table in self.tables:
                    table.copy(cur, shift)
