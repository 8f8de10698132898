"""Totals per commune and per post office, and the digest ReconciliationClosed carries."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from schemas.canonical import canonical_bytes


@dataclass
class Totals:
    """Money and line counts of one commune or one post office (VND, whole đồng)."""

    listed_vnd: int = 0
    paid_vnd: int = 0
    unpaid_vnd: int = 0
    off_list_paid_vnd: int = 0
    late_paid_vnd: int = 0
    lines: Counter[str] = field(default_factory=Counter)
    listed_by_status: Counter[str] = field(default_factory=Counter)

    @property
    def variance_vnd(self) -> int:
        """Paid minus listed, including payments off the list (positive: paid too much)."""
        return self.paid_vnd + self.off_list_paid_vnd - self.listed_vnd

    def add_lines(self, status: str, count: int, listed: int, paid: int, unpaid: int) -> None:
        """``count`` listed lines of one class, with their amounts summed."""
        self.listed_vnd += listed
        self.paid_vnd += paid
        self.unpaid_vnd += unpaid
        self.lines[status] += count
        self.listed_by_status[status] += listed

    def as_dict(self) -> dict[str, Any]:
        return {
            "listed_vnd": self.listed_vnd,
            "paid_vnd": self.paid_vnd,
            "unpaid_vnd": self.unpaid_vnd,
            "variance_vnd": self.variance_vnd,
            "off_list_paid_vnd": self.off_list_paid_vnd,
            "late_paid_vnd": self.late_paid_vnd,
            "lines": dict(sorted(self.lines.items())),
        }


@dataclass
class Funds:
    """Money moved for a post office and month: deposited, returned, and its fee."""

    deposited_vnd: int = 0
    returned_vnd: int = 0
    fee_vnd: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "deposited_vnd": self.deposited_vnd,
            "returned_vnd": self.returned_vnd,
            "fee_vnd": self.fee_vnd,
        }


@dataclass
class OfficeTotals:
    """A post office's totals, its communes' totals and its funds."""

    post_office_code: str
    totals: Totals = field(default_factory=Totals)
    communes: dict[str, Totals] = field(default_factory=dict)
    funds: Funds = field(default_factory=Funds)

    def commune(self, code: str) -> Totals:
        """The totals of one of its communes (created on first use)."""
        totals = self.communes.get(code)
        if totals is None:
            totals = self.communes[code] = Totals()
        return totals

    @property
    def funds_left_vnd(self) -> int:
        """Deposited minus paid (on and off the list) minus returned: should be zero."""
        t = self.totals
        return self.funds.deposited_vnd - t.paid_vnd - t.off_list_paid_vnd - self.funds.returned_vnd

    def as_dict(self) -> dict[str, Any]:
        return {
            "post_office_code": self.post_office_code,
            "totals": self.totals.as_dict(),
            "funds": self.funds.as_dict(),
            "funds_left_vnd": self.funds_left_vnd,
            "communes": {c: t.as_dict() for c, t in sorted(self.communes.items())},
        }

    def digest(self, province: str, month: str) -> str:
        """SHA-256 of the canonical totals (what a ReconciliationClosed certifies)."""
        body = {"province_code": province, "month": month, **self.as_dict()}
        return hashlib.sha256(canonical_bytes(body)).hexdigest()
