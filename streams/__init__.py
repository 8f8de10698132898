"""Stream processing on Faust: intake and dead letters, the ledger projection, implied events.

The names below are imported on first use, so that a command needing only a leaf module
(``streams.deadletter_store`` for ``aidledger deadletters``, say) does not load Faust.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from streams.app import AidLedgerApp, create_app
    from streams.deadletters import DeadLetter, DeadLetterKind
    from streams.intake import Intake, triage
    from streams.records import RawRecord
    from streams.worker import Worker, build_worker

_HOMES = {
    "AidLedgerApp": "streams.app",
    "create_app": "streams.app",
    "DeadLetter": "streams.deadletters",
    "DeadLetterKind": "streams.deadletters",
    "Intake": "streams.intake",
    "triage": "streams.intake",
    "RawRecord": "streams.records",
    "Worker": "streams.worker",
    "build_worker": "streams.worker",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'streams' has no attribute {name!r}")
    return getattr(import_module(home), name)


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
