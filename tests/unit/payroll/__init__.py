"""Payroll and reconciliation rule tests (no database)."""
