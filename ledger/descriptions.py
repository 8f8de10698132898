"""One-line descriptions of events for the journal, read by people in ``history``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from schemas.envelope import Event

#: event_type -> a one-line description for the journal (read by people in ``history``).
_DESCRIPTIONS: dict[str, Callable[[Any], str]] = {
    "AllowanceAccrued": lambda e: (
        f"{e.component.value} {e.amount_vnd:,} VND for {e.service_month} (payroll {e.month})"
    ),
    "PaymentDisbursed": lambda e: (
        f"paid {e.amount_paid_vnd:,} VND, list {e.list_id} line {e.line_no}"
    ),
    "PaymentNotCollected": lambda e: (
        f"not collected: {e.amount_vnd:,} VND, list {e.list_id} line {e.line_no} ({e.reason.value})"
    ),
    "PaymentReversed": lambda e: f"reversed {e.amount_vnd:,} VND of {e.reverses_event_id}",
    "FundsTransferred": lambda e: f"{e.direction.value} {e.amount_vnd:,} VND for {e.month}",
    "PostOfficeFeeCharged": lambda e: f"post office fee {e.fee_vnd:,} VND for {e.month}",
    "HealthInsuranceCardIssued": lambda e: (
        f"BHYT card {e.card_number} valid {e.valid_from} to {e.valid_to}"
    ),
    "HealthInsuranceCardRevoked": lambda e: (
        f"BHYT card {e.card_number}"
        + ("" if e.card_valid_from is None else f" (period from {e.card_valid_from})")
        + f" revoked from {e.revoked_from}"
    ),
    "DonationPledged": lambda e: f"pledge {e.pledge_id} to campaign {e.campaign_id}",
    "DonationReceived": lambda e: f"receipt {e.receipt_id} for campaign {e.campaign_id}",
    "ReliefItemHandedOut": lambda e: (
        f"{e.quantity} {e.unit} of {e.item_code} at {e.distribution_point}"
    ),
    "EligibilityGranted": lambda e: f"granted {e.group.value} from {e.effective_month}",
    "EligibilityChanged": lambda e: f"changed to {e.group.value} from {e.effective_month}",
    "EligibilityTerminated": lambda e: f"terminated from {e.effective_month} ({e.reason.value})",
    "BeneficiaryDied": lambda e: f"died on {e.date_of_death}",
}


def describe(event: Event) -> str:
    """A one-line description of an event for the journal."""
    text = _DESCRIPTIONS.get(event.event_type)
    return text(event) if text else f"{event.event_type} {event.subject}"
