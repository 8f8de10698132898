"""The append-only ledger: event store, double-entry journal, balances and read models."""
