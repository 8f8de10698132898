"""Closing a month for a post office: a ReconciliationClosed with its totals and their digest."""

from __future__ import annotations

from datetime import UTC, datetime

from ledger.reconciliation.report import Reconciliation
from schemas.build import deterministic_id, make_event
from schemas.envelope import Source
from schemas.errors import AidLedgerError
from schemas.payments import ReconciliationClosed


class CloseRefused(AidLedgerError):
    """The month cannot be closed for this post office (already closed, or nothing to close)."""

    exit_code = 3


def close_event(
    recon: Reconciliation,
    post_office: str,
    operator: str | None = None,
    now: datetime | None = None,
) -> ReconciliationClosed:
    """The event that closes ``recon.month`` for a post office at the ledger position
    ``recon`` was computed at: reports after it become late adjustments of the next month."""
    if post_office in recon.closed:
        raise CloseRefused(
            f"{recon.month} is already closed for post office {post_office} (totals digest "
            f"{recon.closed[post_office][:16]}…); later reports show as late adjustments in "
            "the next month's reconciliation"
        )
    office = recon.offices.get(post_office)
    if office is None:
        raise CloseRefused(
            f"post office {post_office} has no lists, reports or funds for {recon.month} in "
            f"province {recon.province}; check the code"
        )
    t = office.totals
    return make_event(
        ReconciliationClosed,
        event_id=deterministic_id("ReconciliationClosed", recon.province, post_office, recon.month),
        source="aidledger-reconcile" if operator is None else _source(operator),
        occurred_at=now or datetime.now(UTC),
        province_code=recon.province,
        post_office_code=post_office,
        month=recon.month,
        listed_vnd=t.listed_vnd,
        paid_vnd=t.paid_vnd + t.off_list_paid_vnd,
        unpaid_vnd=t.unpaid_vnd,
        variance_vnd=t.variance_vnd,
        deposited_vnd=office.funds.deposited_vnd,
        returned_vnd=office.funds.returned_vnd,
        fee_vnd=office.funds.fee_vnd,
        totals_digest=office.digest(recon.province, recon.month),
        as_of_sequence=recon.as_of_sequence,
    )


def _source(operator: str) -> Source:
    return Source(system="aidledger-reconcile", operator=operator)
