"""Publishing from a process of its own, for commands that publish many events.

kafka-python spends ~50 µs of Python on every message it sends; in the command's own process
that time adds to building the events. ``ProcessPublisher`` serializes each event in the
command (canonical bytes, topic, key) and hands whole batches to a child process that sends
them with an ``EventPublisher`` and confirms each batch once the broker acknowledged all of
it. Up to ``in_flight`` batches are handed over before the command waits for the oldest.

Nothing is reported as published until confirmed: ``flush`` (and so ``close`` and the end of
a ``with`` block) waits for every batch and raises ``PublishFailed`` if the child could not
deliver one, or stopped.
"""

from __future__ import annotations

import contextlib
import multiprocessing
from collections.abc import Iterable
from multiprocessing.connection import Connection
from typing import Any

from connectors.producer import EventPublisher, PublishFailed, message_of
from ledger.gc_pause import paced
from schemas.envelope import Event

#: (prefixed topic, key, canonical JSON) of one event.
Message = tuple[str, bytes, bytes]
_STOP = None


def _serve(conn: Connection, bootstrap_servers: str, prefix: str, config: dict[str, Any]) -> None:
    """The child: send each batch received, flush, and answer ("ok", n) or ("failed", why)."""
    try:
        publisher = EventPublisher(bootstrap_servers, prefix, **config)
    except Exception as exc:  # answered to the command: it raises PublishFailed with this
        conn.send(("failed", f"the publisher could not connect to {bootstrap_servers}: {exc}"))
        return
    # EOFError: the command went away; nothing is left to confirm to anyone.
    with contextlib.closing(publisher), contextlib.suppress(EOFError), paced() as tick:
        while True:
            batch: list[Message] | None = conn.recv()
            if batch is _STOP:
                break
            try:
                for topic, key, value in batch:
                    publisher.send_raw(topic, key, value)
                publisher.flush()
            except Exception as exc:  # reported to the command, which stops publishing
                conn.send(("failed", str(exc)))
                break
            conn.send(("ok", len(batch)))
            tick(len(batch))


class ProcessPublisher:
    """``EventPublisher``'s interface, with the sending done by a child process."""

    def __init__(
        self, bootstrap_servers: str, prefix: str = "", *, in_flight: int = 3, **config: Any
    ) -> None:
        self.prefix = prefix
        self.in_flight = in_flight
        #: Events the broker confirmed so far.
        self.confirmed = 0
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(
            target=_serve,
            args=(child, bootstrap_servers, prefix, config),
            name="aidledger-publisher",
            daemon=True,
        )
        self._process.start()
        child.close()
        self._waiting = 0
        self._failure: str | None = None
        self._closed = False

    def publish(self, events: Iterable[Event]) -> int:
        """Hand a batch to the child (it is confirmed later, by ``flush``); returns how many."""
        self._raise_if_failed()
        batch = [message_of(e, self.prefix) for e in events]
        if not batch:
            return 0
        try:
            self._conn.send(batch)
        except (BrokenPipeError, EOFError, OSError):
            self._failure = self._failure or "the publisher process stopped"
            self._raise_if_failed()
        self._waiting += 1
        while self._waiting > self.in_flight or (self._waiting and self._conn.poll()):
            self._receive()
        self._raise_if_failed()
        return len(batch)

    def flush(self, timeout: float = 120.0) -> None:
        """Wait until every batch handed over is confirmed, or raise PublishFailed."""
        while self._waiting and self._failure is None:
            if not self._conn.poll(timeout):
                self._failure = f"no confirmation from the publisher in {timeout:.0f} s"
                break
            self._receive()
        self._raise_if_failed()

    def close(self) -> None:
        """Confirm everything handed over, then stop the child (once; later calls do nothing)."""
        if self._closed:
            return
        self._closed = True
        try:
            self.flush()
        finally:
            with contextlib.suppress(BrokenPipeError, EOFError, OSError):
                self._conn.send(_STOP)
            self._process.join(30)
            if self._process.is_alive():
                self._process.terminate()
                self._process.join(5)
            self._conn.close()

    def _receive(self) -> None:
        try:
            status, detail = self._conn.recv()
        except (EOFError, OSError):
            self._failure = self._failure or (
                f"the publisher process stopped (exit code {self._process.exitcode})"
            )
            self._waiting = 0
            return
        if status == "ok":
            self._waiting -= 1
            self.confirmed += int(detail)
        else:
            self._failure = str(detail)
            self._waiting = 0

    def _raise_if_failed(self) -> None:
        if self._failure is not None:
            raise PublishFailed(
                f"publishing failed: {self._failure}; {self.confirmed} events were confirmed"
                " by the broker before it, the rest may be missing: run the command again"
                " (it publishes the same event ids, so nothing is counted twice)"
            )

    def __enter__(self) -> ProcessPublisher:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.close()
            return
        with contextlib.suppress(PublishFailed):  # the error on its way out says more
            self.close()
