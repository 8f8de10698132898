"""What an audit reports: a failed check (exit 1), bad input (exit 3), no database (exit 4)."""

from __future__ import annotations

from schemas.errors import AidLedgerError


class AuditCheckFailed(AidLedgerError):
    """A check found history that does not match what was stored, signed or exported."""

    exit_code = 1


class ChainBroken(AuditCheckFailed):
    """The stored hash chain does not recompute; the message names the first bad event."""


class ProofInvalid(AuditCheckFailed):
    """An inclusion or consistency proof does not lead to the signed root."""


class ExportInvalid(AuditCheckFailed):
    """An audit export does not verify: a line, the chain segment or the root is wrong."""


class ReplayMismatch(AuditCheckFailed):
    """A replayed ledger differs from the live one."""


class AuditInputError(AidLedgerError, ValueError):
    """An argument, file or record an audit command cannot use."""

    exit_code = 3


class UnknownEvent(AuditInputError):
    """No stored event has the event id that was asked for."""


class CheckpointConflict(AuditCheckFailed):
    """A checkpoint already recorded for a month no longer matches the store."""


class AuditUnavailable(AidLedgerError):
    """The database (or broker) an audit needs cannot be reached."""

    exit_code = 4
