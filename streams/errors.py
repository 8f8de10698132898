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


class TopicRewound(AidLedgerError):
    """A partition holds fewer records than PostgreSQL says were processed from it."""

    exit_code = 4

    def __init__(self, partitions: list[str]) -> None:
        named = ", ".join(partitions[:4]) + (
            f" and {len(partitions) - 4} more partitions" if len(partitions) > 4 else ""
        )
        super().__init__(
            f"{named} end before the positions stored in PostgreSQL: the topic"
            " was recreated (the embedded broker keeps topics in memory only, so `aidledger"
            " down` loses them). New records there would be skipped as already processed;"
            " the worker stops instead. Use a new AIDLEDGER_TOPIC_PREFIX or a durable broker."
        )
