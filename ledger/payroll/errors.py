"""Errors of the payroll area, worded for the payment officer who has to act on them."""

from __future__ import annotations

from schemas.errors import AidLedgerError


class RatesInvalid(AidLedgerError):
    """A rates table (the shipped CSV or a province's file) has a bad row."""

    exit_code = 3


class NoRateRule(AidLedgerError):
    """No standard level or coefficient rule covers a person's month: the table needs a row."""

    exit_code = 3


class PayrollRefused(AidLedgerError):
    """The payroll run cannot go ahead as asked (e.g. a later month is already issued)."""

    exit_code = 3


class PostOfficeMappingInvalid(AidLedgerError):
    """The commune -> post office mapping file has a bad row."""

    exit_code = 3
