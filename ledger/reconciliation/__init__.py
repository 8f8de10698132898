"""Reconciliation of payment lists with post-office reports, funds and fees."""
