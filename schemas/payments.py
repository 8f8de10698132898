"""Payments family (topic ``aid.payments``): accruals, payment lists, post-office results, funds."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar, Literal
from uuid import UUID

from pydantic import ConfigDict, Field, model_validator

from schemas.canonical import lines_digest
from schemas.canonical_model import CanonicalModel, SortedKeys
from schemas.envelope import Event
from schemas.types import (
    VND,
    Coefficient,
    CommuneCode,
    DistrictCode,
    Identifier,
    LedgerSequence,
    Month,
    ProvinceCode,
    Rate,
    UtcDatetime,
)


class Component(StrEnum):
    """What an accrued amount is for. ``recovery`` is deducted: it is owed back."""

    REGULAR = "regular"
    ARREARS = "arrears"  # "truy lĩnh"
    FUNERAL = "funeral"  # "hỗ trợ mai táng"
    RECOVERY = "recovery"  # overpayment to recover ("thu hồi")
    #: On payment lines only: an amount listed earlier, reported not collected, listed again.
    CARRIED = "carried"


class CollectedBy(StrEnum):
    """Who received the money: the person (at a payment point, a post office or at home),
    a proxy, or nobody in person because it went into the person's own account."""

    SELF = "self"
    PROXY = "proxy"  # with an authorisation letter ("giấy ủy quyền")
    #: Paid into the person's bank or payment account; the receipt is the transfer reference.
    BANK_ACCOUNT = "bank_account"


class NotCollectedReason(StrEnum):
    ABSENT = "absent"
    DIED = "died"
    MOVED = "moved"
    REFUSED = "refused"
    OTHER = "other"


class TransferDirection(StrEnum):
    TO_POST_OFFICE = "to_post_office"  # treasury -> post office deposit account
    RETURNED_TO_TREASURY = "returned_to_treasury"  # funds left over, sent back


class AllowanceAccrued(Event):
    """An amount became due to a person (or owed back, for ``recovery``) in a payroll month."""

    family: ClassVar[str] = "payments"
    event_type: Literal["AllowanceAccrued"] = "AllowanceAccrued"
    schema_version: Literal[1] = 1
    person_id: Identifier
    #: The payroll month whose list carries the amount.
    month: Month
    #: The month the amount is for (differs from ``month`` for arrears and recovery).
    service_month: Month
    component: Component
    amount_vnd: VND = Field(gt=0)
    province_code: ProvinceCode
    commune_code: CommuneCode
    coefficient: Coefficient | None = None
    standard_level_vnd: VND | None = None
    note: str | None = Field(default=None, max_length=300)

    @model_validator(mode="after")
    def _not_carried(self) -> AllowanceAccrued:
        if self.component is Component.CARRIED:
            raise ValueError("component carried is for payment lines only; accrue the amount")
        return self


class PaymentLine(CanonicalModel):
    """One person's line on a payment list; ``amount_vnd`` is the sum of its components."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    line_no: int = Field(ge=1)
    person_id: Identifier
    full_name: str = Field(min_length=1, max_length=200)
    commune_code: CommuneCode
    #: Kept in key order (canonical JSON order), whatever order it was given in.
    components: SortedKeys[Component, int]
    amount_vnd: VND

    @model_validator(mode="after")
    def _amount_is_sum_of_components(self) -> PaymentLine:
        total = 0
        for component, amount in self.components.items():
            if amount < 0:
                raise ValueError("components must be whole, non-negative VND amounts")
            total += -amount if component is Component.RECOVERY else amount
        if total != self.amount_vnd:
            raise ValueError(
                f"line {self.line_no}: amount_vnd {self.amount_vnd} is not the sum of its "
                f"components ({total})"
            )
        return self


class PaymentListIssued(Event):
    """The department issued a payment list for one commune and post office for a month."""

    family: ClassVar[str] = "payments"
    subject_field: ClassVar[str] = "list_id"
    event_type: Literal["PaymentListIssued"] = "PaymentListIssued"
    schema_version: Literal[1] = 1
    list_id: Identifier
    month: Month
    province_code: ProvinceCode
    district_code: DistrictCode
    commune_code: CommuneCode
    post_office_code: Identifier
    #: Set on a supplementary list that corrects an issued one (never an edit of it).
    supplements_list_id: Identifier | None = None
    lines: tuple[PaymentLine, ...] = Field(min_length=1)
    total_vnd: VND
    digest: str = Field(pattern=r"^[0-9a-f]{64}$")

    @model_validator(mode="after")
    def _totals_and_digest_match(self) -> PaymentListIssued:
        numbers = [line.line_no for line in self.lines]
        if len(set(numbers)) != len(numbers):
            raise ValueError("line numbers must be unique within a list")
        total = sum(line.amount_vnd for line in self.lines)
        if total != self.total_vnd:
            raise ValueError(f"total_vnd {self.total_vnd} is not the sum of the lines ({total})")
        expected = lines_digest(self.lines)
        if self.digest != expected:
            raise ValueError(f"digest does not match the lines (expected {expected})")
        return self


class _PostOfficeReport(Event):
    family: ClassVar[str] = "payments"
    list_id: Identifier
    line_no: int = Field(ge=1)
    person_id: Identifier
    post_office_code: Identifier
    #: The imported report this row came from (file digest) and its row number.
    report_id: str | None = Field(default=None, max_length=128)
    report_row: int | None = Field(default=None, ge=1)


class PaymentDisbursed(_PostOfficeReport):
    """The post office reported paying a listed line (in full, in part, or more)."""

    event_type: Literal["PaymentDisbursed"] = "PaymentDisbursed"
    schema_version: Literal[1] = 1
    amount_paid_vnd: VND = Field(gt=0)
    paid_at: UtcDatetime
    receipt_no: str = Field(min_length=1, max_length=64)
    collected_by: CollectedBy
    proxy_name: str | None = Field(default=None, max_length=200)


class PaymentNotCollected(_PostOfficeReport):
    """The post office reported a listed line as not collected; it is carried forward."""

    event_type: Literal["PaymentNotCollected"] = "PaymentNotCollected"
    schema_version: Literal[1] = 1
    amount_vnd: VND
    reason: NotCollectedReason
    reported_at: UtcDatetime


class PaymentReversed(_PostOfficeReport):
    """A recorded disbursement was reversed (reported in error); the original stays."""

    event_type: Literal["PaymentReversed"] = "PaymentReversed"
    schema_version: Literal[1] = 1
    reverses_event_id: UUID
    amount_vnd: VND = Field(gt=0)
    reason: str = Field(min_length=1, max_length=300)


class FundsTransferred(Event):
    """Funds moved between the treasury and a post office's deposit account."""

    family: ClassVar[str] = "payments"
    subject_field: ClassVar[str] = "post_office_code"
    event_type: Literal["FundsTransferred"] = "FundsTransferred"
    schema_version: Literal[1] = 1
    transfer_id: Identifier
    direction: TransferDirection
    province_code: ProvinceCode
    post_office_code: Identifier
    month: Month
    amount_vnd: VND = Field(gt=0)


class PostOfficeFeeCharged(Event):
    """The post office's fee for a month: a provincial rate of the amount it paid."""

    family: ClassVar[str] = "payments"
    subject_field: ClassVar[str] = "post_office_code"
    event_type: Literal["PostOfficeFeeCharged"] = "PostOfficeFeeCharged"
    schema_version: Literal[1] = 1
    province_code: ProvinceCode
    post_office_code: Identifier
    month: Month
    paid_basis_vnd: VND
    fee_rate: Rate
    fee_vnd: VND


class ReconciliationClosed(Event):
    """An officer closed a month for a post office, with the totals and their digest.

    Version 2 added ``as_of_sequence``: the last ledger sequence the totals were computed
    from. Rows appended after it are late adjustments of the next month, also those appended
    between the computation and the close itself. A version-1 close has none (None), and its
    own sequence is the cut (see ``schemas.upcasting``)."""

    family: ClassVar[str] = "payments"
    subject_field: ClassVar[str] = "post_office_code"
    event_type: Literal["ReconciliationClosed"] = "ReconciliationClosed"
    schema_version: Literal[2] = 2
    province_code: ProvinceCode
    post_office_code: Identifier
    month: Month
    listed_vnd: VND
    paid_vnd: VND
    unpaid_vnd: VND
    variance_vnd: int
    deposited_vnd: VND
    returned_vnd: VND
    fee_vnd: VND
    totals_digest: str = Field(pattern=r"^[0-9a-f]{64}$")
    as_of_sequence: LedgerSequence | None


PAYMENT_EVENTS = (
    AllowanceAccrued,
    PaymentListIssued,
    PaymentDisbursed,
    PaymentNotCollected,
    PaymentReversed,
    FundsTransferred,
    PostOfficeFeeCharged,
    ReconciliationClosed,
)

__all__ = [
    "PAYMENT_EVENTS",
    "AllowanceAccrued",
    "CollectedBy",
    "CommuneCode",
    "Component",
    "DistrictCode",
    "FundsTransferred",
    "NotCollectedReason",
    "PaymentDisbursed",
    "PaymentLine",
    "PaymentListIssued",
    "PaymentNotCollected",
    "PaymentReversed",
    "PostOfficeFeeCharged",
    "ReconciliationClosed",
    "TransferDirection",
]
