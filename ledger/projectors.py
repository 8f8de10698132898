"""Projectors: read models written inside the append transaction, so they never lag or drift."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

from schemas.envelope import Event


class Numbered(Protocol):
    """What a projector reads of each event: its place in the ledger and the event itself.
    ``StoredEvent`` and ``NumberedEvent`` are such; nothing else of a stored event (bytes,
    hashes, business date, origin) is a projector's, so a store replay can project read
    models without computing them (``ledger.audit.read_models``)."""

    @property
    def sequence(self) -> int: ...

    @property
    def event(self) -> Event: ...


@runtime_checkable
class Projector(Protocol):
    """Anything with a ``name`` and ``project(conn, batch)``.

    ``conn`` is the raw psycopg2 connection of the append (its ``search_path`` starts with
    the ledger schema); ``batch`` holds the events this append stored, in sequence order.
    Write set-based SQL; an exception rolls the whole append back.
    """

    name: str

    def project(self, conn: Any, batch: Sequence[Numbered]) -> None: ...


class Staged(Protocol):
    """A projector's rows for one batch, computed before the append holds the chain lock."""

    def write(self, conn: Any, shift: int) -> None:
        """Write them; ``shift``: how far every sequence of the batch moved since (a pipelined
        plan placed after another appender's batch moves as a whole)."""


def stage(projector: Projector, batch: Sequence[Numbered]) -> Staged | None:
    """The projector's work for ``batch`` done ahead, if it offers that (``stage(batch)``);
    None: call ``project`` under the lock as usual. Staging reads no database."""
    staging = getattr(projector, "stage", None)
    return None if staging is None else staging(batch)
