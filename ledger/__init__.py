"""The append-only ledger: event store, double-entry journal, balances and read models."""

from ledger.chain_check import verify_chain
from ledger.coverage import CardCoverage
from ledger.errors import DuplicateEventConflict, LedgerUnavailable
from ledger.ledger import Ledger, ensure_migrated, open_ledger
from ledger.person_balances import PersonBalances, ReliefReceived
from ledger.projectors import Projector
from ledger.queries import HistoryEntry
from ledger.records import AppendResult, Batch, Incoming, KafkaOrigin, Posting, StoredEvent

__all__ = [
    "AppendResult",
    "Batch",
    "CardCoverage",
    "DuplicateEventConflict",
    "HistoryEntry",
    "Incoming",
    "KafkaOrigin",
    "Ledger",
    "LedgerUnavailable",
    "PersonBalances",
    "Posting",
    "Projector",
    "ReliefReceived",
    "StoredEvent",
    "ensure_migrated",
    "open_ledger",
    "verify_chain",
]
