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
