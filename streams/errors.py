"""Errors of the stream workers and the dead-letter commands."""

from __future__ import annotations

from schemas.errors import AidLedgerError


class DeadLetterNotFound(AidLedgerError):
    """No dead letter (or more than one) matches the id an operator gave."""

    exit_code = 3

    def __init__(self, deadletter_id: str, ambiguous: bool = False) -> None:
        what = "several dead letters match" if ambiguous else "no dead letter has"
        super().__init__(
            f"{what} id {deadletter_id!r}; list them with `aidledger deadletters`"
            + (" and give more of the id" if ambiguous else "")
        )


class BatchFailed(AidLedgerError):
    """A batch could not be recorded; the worker stops so nothing after it is skipped."""

    exit_code = 4


class NoBatchSink(AidLedgerError):
    """The stream app was started without anything to hand its batches to (a wiring error)."""

    exit_code = 1


class WorkerFailed(AidLedgerError):
    """The worker stopped on an error other than a failed batch (its log says which)."""

    exit_code = 1
