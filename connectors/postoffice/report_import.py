"""Importing a disbursement report: validate every row, then publish only what is new.

Policy: a file with any bad row is refused whole, each bad row named with its number and
reason, and nothing is published (the post office corrects and sends it again). Rows already
imported with the same content are skipped; a row whose (list, line, receipt) was imported
before with different content is a conflict: reported, recorded in postoffice_conflicts,
never published.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy.engine import Engine

from connectors.jsonl import FileRefused
from connectors.postoffice.report_copy import report_chunks
from ledger.gc_pause import paced
from ledger.reconciliation.rows import DISBURSED, NOT_COLLECTED, ReportRow
from ledger.storage import checked_schema, raw_connection
from schemas.envelope import Event
from schemas.errors import AidLedgerError, InvalidEvent, from_validation_error
from schemas.payments import (
    PaymentDisbursed,
    PaymentNotCollected,
)

Sink = Callable[[Sequence[Event]], object]
_TYPES = {DISBURSED: "PaymentDisbursed", NOT_COLLECTED: "PaymentNotCollected"}
IMPORT_SOURCE = "aidledger-postoffice-import"
_MAX_LISTED = 1_000

_TEMP = """
CREATE TEMP TABLE po_import (
    row_no int, event_id uuid, kind text, list_id text, line_no int, person_id text,
    amount bigint, at timestamptz, receipt_no text, collected_by text, proxy_name text,
    reason text, post_office_code text
) ON COMMIT DROP
"""
#: Each row with its post office and amount resolved from the lists. The listed amount is
#: looked up (by index) only for a not-collected row that gives none: joining every row with
#: every listed line cost a second of server time per million rows.
_RESOLVED = """
SELECT i.row_no, i.event_id::text, i.kind, i.list_id, i.line_no, i.person_id,
       coalesce(i.post_office_code, pl.post_office_code, %(po)s),
       coalesce(i.amount, (SELECT l.amount_vnd FROM payroll_lines l
                           WHERE l.list_id = i.list_id AND l.line_no = i.line_no)),
       i.at, i.receipt_no, i.collected_by, i.proxy_name, i.reason, r.row_hash
FROM po_import i
LEFT JOIN payroll_lists pl ON pl.list_id = i.list_id
LEFT JOIN postoffice_reports r ON r.event_id = i.event_id
"""


class ImportStopped(AidLedgerError):
    """A row passed the row checks but made no valid event; publishing stopped there."""

    exit_code = 3

    def __init__(self, path: Path, problem: InvalidEvent, published: int) -> None:
        super().__init__(
            f"{path}: {problem}; the import stopped there, after publishing {published} events"
            " of the file (importing the corrected file again recognises them)"
        )


@dataclass
class ImportResult:
    """What an import did; ``conflicts`` name each changed row."""

    path: Path
    digest: str
    rows: int = 0
    disbursed: int = 0
    not_collected: int = 0
    already_imported: int = 0
    conflicts: list[str] = field(default_factory=list)


def file_digest(path: Path) -> str:
    """SHA-256 of the file's bytes (the report id stored on every event)."""
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            sha.update(chunk)
    return sha.hexdigest()


def _load(cur: Any, path: Path, tick: Callable[[int], None]) -> tuple[int, list[str]]:
    """Pass 1: validate every row, COPY the good ones into the temp table."""
    problems: list[tuple[int, str]] = []
    count = 0
    for chunk in report_chunks(path):
        count += chunk.rows
        problems += chunk.problems
        if chunk.copy_text:
            cur.copy_expert("COPY po_import FROM STDIN", io.StringIO(chunk.copy_text))
        tick(chunk.rows)
    return count, [f"row {number}: {reason}" for number, reason in sorted(problems)]


def _unresolved(cur: Any, post_office: str | None) -> list[str]:
    cur.execute(
        f"SELECT row_no, list_id, line_no, post_office, amount FROM ({_RESOLVED}) "
        "AS x(row_no, event_id, kind, list_id, line_no, person_id, post_office, amount) "
        "WHERE post_office IS NULL OR amount IS NULL ORDER BY row_no LIMIT %(limit)s",
        {"po": post_office, "limit": _MAX_LISTED},
    )
    out = []
    for row_no, list_id, line_no, office, amount in cur.fetchall():
        if office is None:
            out.append(
                f"row {row_no}: list {list_id} is unknown and the row names no "
                "post_office_code; add the column or pass --post-office"
            )
        if amount is None:
            out.append(
                f"row {row_no}: not collected with no amount, and list {list_id} "
                f"line {line_no} is unknown; give the amount not collected"
            )
    return out


def _report(row: tuple[Any, ...]) -> ReportRow:
    """What a resolved row of ``_RESOLVED`` says, as the ledger's ``row_of`` reads it back
    from the event (so an unchanged row has the stored row's digest): the time in UTC
    (the server returns it in its session's time zone, which need not be UTC), and no
    receipt on a not-collected row (its event does not hold one; the receipt is only part
    of the event id)."""
    _, _, kind, list_id, line_no, person, office, amount, at, receipt, by, proxy, reason, _ = row
    at = at.astimezone(UTC)
    if kind == DISBURSED:
        return ReportRow(kind, list_id, line_no, person, office, amount, at, receipt, by, proxy)
    return ReportRow(kind, list_id, line_no, person, office, amount, at, reason=reason)


def _event(report: ReportRow, event_id: str, row_no: int, digest: str) -> Event:
    """The event of a row, validated from one dict (its source too: a quarter less time
    than making the Source first and the event from keywords)."""
    data: dict[str, object] = {
        "event_id": event_id,
        "occurred_at": report.at,
        "recorded_at": report.at,
        "source": {"system": IMPORT_SOURCE, "reference": f"report {digest[:16]} row {row_no}"},
        "list_id": report.list_id,
        "line_no": report.line_no,
        "person_id": report.person_id,
        "post_office_code": report.post_office_code,
        "report_id": digest,
        "report_row": row_no,
    }
    if report.kind == DISBURSED:
        data["amount_paid_vnd"] = report.amount_vnd
        data["paid_at"] = report.at
        data["receipt_no"] = report.receipt_no
        data["collected_by"] = report.collected_by
        data["proxy_name"] = report.proxy_name
        return PaymentDisbursed.model_validate(data)
    data["amount_vnd"] = report.amount_vnd
    data["reason"] = report.reason
    data["reported_at"] = report.at
    return PaymentNotCollected.model_validate(data)


def import_report(
    engine: Engine,
    path: Path,
    sink: Sink,
    *,
    post_office: str | None = None,
    schema: str = "ledger",
    batch_size: int = 5_000,
) -> ImportResult:
    """Import a CSV or XLSX report; raises FileRefused (nothing published) on any bad row."""
    result = ImportResult(path, file_digest(path))
    with raw_connection(engine) as conn, paced() as tick:
        with conn.cursor() as cur:
            cur.execute(f'SET search_path TO "{checked_schema(schema)}", public')
            cur.execute(_TEMP)
            result.rows, problems = _load(cur, path, tick)
            if not problems:
                problems = _unresolved(cur, post_office)
            if problems:
                raise FileRefused(path, problems)
            cur.execute("ANALYZE po_import")
        conflicts: list[tuple[object, ...]] = []
        batch: list[Event] = []
        # The rows come in event id order: the same line and receipt twice in this file are
        # neighbours, and the second is compared with the first one published.
        previous: tuple[str, ReportRow] | None = None
        with conn.cursor(name="po_import_rows") as cur:
            cur.itersize = 10_000
            cur.execute(_RESOLVED + " ORDER BY i.event_id, i.row_no", {"po": post_office})
            for row in cur:
                event_id, stored_hash, report = row[1], row[-1], _report(row)
                if stored_hash is None and previous is not None and previous[0] == event_id:
                    stored_hash = previous[1].digest()
                if stored_hash is None:
                    try:
                        batch.append(_event(report, event_id, row[0], result.digest))
                    except ValidationError as exc:  # the row checks let through what no
                        # event may hold: a defect of the checks, stopped before publishing
                        # more (those published are recognised when the file comes again)
                        raise ImportStopped(
                            path,
                            from_validation_error(exc, f"row {row[0]}", _TYPES[report.kind]),
                            result.disbursed + result.not_collected - len(batch),
                        ) from None
                    if report.kind == DISBURSED:
                        result.disbursed += 1
                    else:
                        result.not_collected += 1
                    previous = (event_id, report)
                    if len(batch) >= batch_size:
                        sink(batch)
                        tick(len(batch))
                        batch = []
                    continue
                new_hash = report.digest()
                if stored_hash == new_hash:
                    result.already_imported += 1
                else:
                    detail = (
                        f"row {row[0]}: list {report.list_id} line {report.line_no} "
                        f"receipt {row[9] or '-'} was imported before with "
                        "different content; not applied, resolve it with the post office"
                    )
                    result.conflicts.append(detail)
                    conflicts.append(
                        (
                            event_id,
                            new_hash,
                            report.list_id,
                            report.line_no,
                            row[9],
                            stored_hash,
                            result.digest,
                            row[0],
                            detail,
                        )
                    )
        if batch:
            sink(batch)
        if conflicts:
            with conn.cursor() as cur:
                from psycopg2.extras import execute_values

                # Each conflict keeps the ledger's position when it was found: one found after
                # its month was closed is a late adjustment, not a change to the closed month.
                execute_values(
                    cur,
                    (
                        "INSERT INTO postoffice_conflicts (event_id, new_hash, list_id, line_no, "
                        "receipt_no, existing_hash, report_id, report_row, detail, "
                        "seen_at_sequence) VALUES %s ON CONFLICT DO NOTHING"
                    ),
                    conflicts,
                    template=(
                        "(%s, %s, %s, %s, %s, %s, %s, %s, %s, "
                        "(SELECT coalesce(max(sequence), 0) FROM events))"
                    ),
                )
        conn.commit()
    return result
