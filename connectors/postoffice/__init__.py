"""Post-office files: payment-list export, disbursement-report import, reconciliation out."""
