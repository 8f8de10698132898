"""Payroll and reconciliation on the real PostgreSQL ledger and broker."""
