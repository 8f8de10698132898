"""The content of one post-office report row, hashed the same way on import and in the ledger.

Two rows with the same (list, line, receipt) but a different hash are a conflict to resolve.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import NamedTuple

from schemas.build import deterministic_hex, deterministic_id
from schemas.payments import PaymentDisbursed, PaymentNotCollected

DISBURSED, NOT_COLLECTED, REVERSED = "disbursed", "not_collected", "reversed"


class ReportRow(NamedTuple):
    """What a row says: paid (amount, receipt, collected by) or not collected (reason)."""

    kind: str
    list_id: str
    line_no: int
    person_id: str
    post_office_code: str
    amount_vnd: int
    at: datetime
    receipt_no: str | None = None
    collected_by: str | None = None
    proxy_name: str | None = None
    reason: str | None = None

    @property
    def event_id_parts(self) -> tuple[str, int, str]:
        return (self.list_id, self.line_no, self.receipt_no or "")

    def digest(self, at_text: str | None = None) -> str:
        """SHA-256 of the row's content (not of which file or row number it came from): its
        fields joined by U+001F, None as empty; ``at_text``: ``at.isoformat()`` when the
        caller has it already."""
        kind, list_id, line, person, office, amount, at, receipt, by, proxy, reason = self
        text = (
            f"{kind}\x1f{list_id}\x1f{line}\x1f{person}\x1f{office}\x1f{amount}\x1f"
            f"{at_text or at.isoformat()}\x1f{receipt or ''}\x1f{by or ''}\x1f{proxy or ''}"
            f"\x1f{reason or ''}"
        )
        return hashlib.sha256(text.encode()).hexdigest()


def report_event_id(list_id: str, line_no: int, receipt_no: str | None) -> str:
    """The deterministic event id of a report row: from (list, line, receipt)."""
    return str(deterministic_id(*_report_id_parts(list_id, line_no, receipt_no)))


def report_event_hex(list_id: str, line_no: int, receipt_no: str | None) -> str:
    """``report_event_id`` as 32 hex digits (for COPY into a uuid column)."""
    return deterministic_hex(*_report_id_parts(list_id, line_no, receipt_no))


def _report_id_parts(list_id: str, line_no: int, receipt_no: str | None) -> tuple[object, ...]:
    return ("postoffice-report", list_id, line_no, receipt_no or "")


def row_of(event: PaymentDisbursed | PaymentNotCollected) -> ReportRow:
    """The report row an event was made from."""
    if isinstance(event, PaymentDisbursed):
        return ReportRow(
            DISBURSED,
            event.list_id,
            event.line_no,
            event.person_id,
            event.post_office_code,
            event.amount_paid_vnd,
            event.paid_at,
            event.receipt_no,
            event.collected_by.value,
            event.proxy_name,
        )
    return ReportRow(
        NOT_COLLECTED,
        event.list_id,
        event.line_no,
        event.person_id,
        event.post_office_code,
        event.amount_vnd,
        event.reported_at,
        reason=event.reason.value,
    )
