"""The stable column layouts of payment lists (export) and disbursement reports (import).

docs/formats.md describes them for the post office; change them only with a new version there.
"""

from __future__ import annotations

from schemas.payments import Component

#: Payment list columns, in order (CSV header row and XLSX first row).
LIST_COLUMNS = (
    "list_id",
    "line_no",
    "person_id",
    "full_name",
    "commune_code",
    "month",
    "regular_vnd",
    "arrears_vnd",
    "funeral_vnd",
    "recovery_vnd",
    "carried_vnd",
    "amount_vnd",
    "signature",
)
#: Component of each amount column (recovery is deducted).
COMPONENT_COLUMNS = (
    Component.REGULAR,
    Component.ARREARS,
    Component.FUNERAL,
    Component.RECOVERY,
    Component.CARRIED,
)
#: ``line_no`` of the footer row closing each list; ``list_id`` of the file's grand total.
TOTAL = "TOTAL"
ALL_LISTS = "ALL"
DIGEST_PREFIX = "sha256:"

#: Disbursement report columns. Required ones must be in the header; order is free.
REPORT_REQUIRED = (
    "list_id",
    "line_no",
    "person_id",
    "amount_paid_vnd",
    "paid_at",
    "receipt_no",
    "collected_by",
    "not_collected_reason",
)
REPORT_OPTIONAL = ("proxy_name", "post_office_code")
