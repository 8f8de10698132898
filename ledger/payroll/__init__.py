"""Monthly allowance payroll: rates, entitlement, accruals, netting, lists, implied events."""
