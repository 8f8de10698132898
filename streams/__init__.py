"""Stream processing on Faust: intake and dead letters, the ledger projection, implied events."""

from streams.app import AidLedgerApp, create_app
from streams.deadletters import DeadLetter, DeadLetterKind
from streams.intake import Intake, triage
from streams.records import RawRecord
from streams.worker import Worker, build_worker

__all__ = [
    "AidLedgerApp",
    "DeadLetter",
    "DeadLetterKind",
    "Intake",
    "RawRecord",
    "Worker",
    "build_worker",
    "create_app",
    "triage",
]
