"""A report's rows validated and written as COPY text, chunk by chunk; a large CSV by two
processes at once.

Validating a row (``parse_row``) and writing its COPY line take ~16 µs of Python; reading
it with ``csv.reader`` ~2. For a large CSV report a helper process reads the same file, and
the two take its chunks (``CHUNK_ROWS`` lines each) in turn from a shared counter as they
reach them: each validates only the chunks it took and skips through the others, so the
rows are checked on two cores while nothing else has work yet (the import publishes nothing
before every row is valid). The helper sends its chunks back through a pipe; the importing
process COPYs every chunk. XLSX files and small CSV files are read by one process.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import threading
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, NamedTuple

from connectors.postoffice.report_rows import (
    ParsedRow,
    ReportUnreadable,
    RowProblem,
    csv_records,
    is_blank,
    parse_row,
    raw_rows,
    record,
)
from ledger.payroll.sql import NULL, text
from ledger.reconciliation.rows import report_event_hex

#: Lines of the file in one chunk.
CHUNK_ROWS = 10_000
#: CSV files smaller than this are validated by one process (starting a helper takes ~0.3 s).
SHARED_FROM_BYTES = 4 << 20
Claim = Callable[[int], bool]


class Chunk(NamedTuple):
    """Some rows of the file: how many, their COPY text, and the bad ones (row, reason)."""

    rows: int
    copy_text: str
    problems: list[tuple[int, str]]


def copy_line(row: ParsedRow) -> str:
    """One valid row as a line of ``COPY po_import`` text. Only the receipt and the proxy's
    name are free text to escape: identifiers and the collected-by and reason values were
    checked against what they may hold."""
    fields = (
        str(row.row_no),
        report_event_hex(row.list_id, row.line_no, row.receipt_no),
        row.kind,
        row.list_id,
        str(row.line_no),
        row.person_id,
        NULL if row.amount_vnd is None else str(row.amount_vnd),
        row.at.isoformat(),
        text(row.receipt_no),
        row.collected_by or NULL,
        text(row.proxy_name),
        row.reason or NULL,
        row.post_office_code or NULL,
    )
    return "\t".join(fields) + "\n"


def _chunk(rows: list[tuple[int, dict[str, Any]]]) -> Chunk:
    lines: list[str] = []
    problems: list[tuple[int, str]] = []
    for number, raw in rows:
        try:
            lines.append(copy_line(parse_row(number, raw)))
        except RowProblem as exc:
            problems.append((number, str(exc)))
    return Chunk(len(rows), "".join(lines), problems)


def _serial_chunks(path: Path, chunk_rows: int) -> Iterator[Chunk]:
    rows: list[tuple[int, dict[str, Any]]] = []
    for item in raw_rows(path):
        rows.append(item)
        if len(rows) >= chunk_rows:
            yield _chunk(rows)
            rows = []
    if rows:
        yield _chunk(rows)


def claimed_chunks(path: Path, claim: Claim, chunk_rows: int) -> Iterator[Chunk]:
    """The chunks (``chunk_rows`` lines each) of a CSV report that ``claim(k)`` grants, asked
    once per chunk k in order; the lines of the others are read and skipped."""
    with csv_records(path) as (header, records):
        rows: list[tuple[int, dict[str, Any]]] = []
        mine, chunk = claim(0), 0
        for number, values in records:
            at = (number - 2) // chunk_rows
            if at != chunk:
                if mine:
                    yield _chunk(rows)
                    rows = []
                mine, chunk = claim(at), at
            if mine and not is_blank(values):
                rows.append((number, record(header, values)))
        if mine:
            yield _chunk(rows)


def _counter_claim(counter: Any) -> Claim:
    """Claims through a shared "next chunk nobody took" counter: k is free only if it is
    that chunk (both processes ask for every chunk in order)."""

    def claim(k: int) -> bool:
        with counter.get_lock():
            if counter.value != k:
                return False
            counter.value = k + 1
            return True

    return claim


def _helper(path: Path, chunk_rows: int, counter: Any, out: Connection) -> None:
    try:
        for chunk in claimed_chunks(path, _counter_claim(counter), chunk_rows):
            out.send(chunk)
        out.send(None)
    except ReportUnreadable as exc:  # the file's fault: raised as it is
        out.send(exc)
    except BaseException as exc:  # reported to the importing process, which raises
        out.send(f"{type(exc).__name__}: {exc}")
    finally:
        out.close()


class HelperFailed(RuntimeError):
    """The helper process stopped without finishing its chunks."""


_END = None


def _receive_all(receive: Connection, arrived: queue.SimpleQueue[Any]) -> None:
    """Takes the helper's messages as they come (it never waits to send), then the end."""
    try:
        while True:
            message = receive.recv()
            arrived.put(message)
            if message is _END or isinstance(message, str | ReportUnreadable):
                return
    except EOFError:
        arrived.put("it stopped before sending all of its chunks")


def _shared_chunks(path: Path, chunk_rows: int) -> Iterator[Chunk]:
    context = multiprocessing.get_context("spawn")  # the caller may hold threads and sockets
    counter = context.Value("q", 0)
    receive, send = context.Pipe(duplex=False)
    helper = context.Process(
        target=_helper,
        args=(path, chunk_rows, counter, send),
        name="aidledger-report-rows",
        daemon=True,
    )
    helper.start()
    send.close()
    arrived: queue.SimpleQueue[Any] = queue.SimpleQueue()
    receiver = threading.Thread(target=_receive_all, args=(receive, arrived), daemon=True)
    receiver.start()
    ended = False

    def helpers(wait: bool) -> Iterator[Chunk]:
        nonlocal ended
        while not ended and (wait or not arrived.empty()):
            message = _checked(arrived.get())
            ended = message is _END
            if not ended:
                yield message

    try:
        for chunk in claimed_chunks(path, _counter_claim(counter), chunk_rows):
            yield chunk
            yield from helpers(wait=False)
        yield from helpers(wait=True)
        helper.join()
    finally:
        if helper.is_alive():
            helper.kill()
            helper.join()
        receiver.join(timeout=5)
        receive.close()


def _checked(message: Any) -> Any:
    if isinstance(message, ReportUnreadable):
        raise message
    if isinstance(message, str):
        raise HelperFailed(f"the helper process validating the report failed: {message}")
    return message


def report_chunks(path: Path, shared: bool | None = None) -> Iterator[Chunk]:
    """Every row of a report validated, as chunks of COPY text and problems. A CSV file is
    read by two processes (its chunks then arrive out of file order) when ``shared``; by
    default when it has ``SHARED_FROM_BYTES`` or more and the machine two cores or more."""
    if path.suffix.lower() != ".csv":
        shared = False
    elif shared is None:
        shared = path.stat().st_size >= SHARED_FROM_BYTES and (os.cpu_count() or 1) > 1
    if shared:
        return _shared_chunks(path, CHUNK_ROWS)
    return _serial_chunks(path, CHUNK_ROWS)
