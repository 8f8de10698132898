"""Money moved for a post office's month, as an officer records it: the deposit into its
account, what it returned, and its fee (a provincial rate of what it actually paid).

A transfer is identified by its reference (the payment order's number): recording the same
transfer again is a no-op, and the same reference with another amount, date or direction is
refused as a conflict, never a second deposit. The fee is charged once per post office and
month, on the amount the ledger shows paid for that month (on and off the lists), rounded to
the đồng half up, before the month is closed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Engine

from ledger.reconciliation.report import Reconciliation
from ledger.storage import checked_schema, raw_connection
from schemas.build import deterministic_id, make_event
from schemas.envelope import Event, Source
from schemas.errors import AidLedgerError
from schemas.payments import FundsTransferred, PostOfficeFeeCharged, TransferDirection
from schemas.registry import parse_event

#: Payment orders are dated in Vietnam time.
VIETNAM = timezone(timedelta(hours=7))
SYSTEM = "aidledger-funds"


class FundsRefused(AidLedgerError):
    """A transfer or fee that cannot be recorded as asked (a conflict, a closed month...)."""

    exit_code = 3


def transfer_event(
    *,
    province: str,
    post_office: str,
    month: str,
    amount_vnd: int,
    reference: str,
    on: date,
    returned: bool = False,
    operator: str | None = None,
    now: datetime | None = None,
) -> FundsTransferred:
    """A deposit into the post office's account for ``month`` (or, ``returned``, the funds it
    sent back), made on ``on`` under the payment order ``reference``."""
    return make_event(
        FundsTransferred,
        event_id=deterministic_id("FundsTransferred", province, post_office, reference),
        source=_source(operator),
        occurred_at=datetime.combine(on, time(0), VIETNAM).astimezone(UTC),
        recorded_at=now or datetime.now(UTC),
        transfer_id=reference,
        direction=(
            TransferDirection.RETURNED_TO_TREASURY if returned else TransferDirection.TO_POST_OFFICE
        ),
        province_code=province,
        post_office_code=post_office,
        month=month,
        amount_vnd=amount_vnd,
    )


def fee_event(
    recon: Reconciliation,
    post_office: str,
    rate: Decimal,
    operator: str | None = None,
    now: datetime | None = None,
) -> PostOfficeFeeCharged:
    """The post office's fee for ``recon.month``: ``rate`` of what it paid that month."""
    office = recon.offices.get(post_office)
    where = f"{recon.month} for post office {post_office}"
    if office is None:
        raise FundsRefused(
            f"post office {post_office} has no lists, reports or funds for {recon.month} in "
            f"province {recon.province}; check the code"
        )
    if post_office in recon.closed:
        raise FundsRefused(f"{where} is closed: a fee is charged before the month is closed")
    if office.funds.fee_vnd:
        raise FundsRefused(
            f"the fee of {where} is already charged ({office.funds.fee_vnd:,} VND); "
            "`aidledger reconcile` shows it"
        )
    basis = office.totals.paid_vnd + office.totals.off_list_paid_vnd
    if basis == 0:
        raise FundsRefused(f"nothing is reported paid for {where}: no fee to charge yet")
    at = now or datetime.now(UTC)
    return make_event(
        PostOfficeFeeCharged,
        event_id=deterministic_id("PostOfficeFeeCharged", recon.province, post_office, recon.month),
        source=_source(operator),
        occurred_at=at,
        recorded_at=at,
        province_code=recon.province,
        post_office_code=post_office,
        month=recon.month,
        paid_basis_vnd=basis,
        fee_rate=rate,
        fee_vnd=fee_of(basis, rate),
    )


def fee_of(basis_vnd: int, rate: Decimal) -> int:
    """``rate`` of ``basis_vnd`` in whole đồng, half up (0.0045 of 1,000,111 is 4,500)."""
    return int((Decimal(basis_vnd) * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def unrecorded(engine: Engine, event: Event, schema: str = "ledger") -> bool:
    """True when the ledger does not hold ``event`` yet; False when it holds the same fact
    under its id (recorded again: nothing to publish). Raises FundsRefused when it holds a
    different fact under that id (the same payment order with another amount or date)."""
    with raw_connection(engine) as conn, conn.cursor() as cur:
        cur.execute(
            f'SELECT sequence, payload FROM "{checked_schema(schema)}".events WHERE event_id = %s',
            (str(event.event_id),),
        )
        row = cur.fetchone()
    if row is None:
        return True
    sequence, payload = row
    if _fact(parse_event(payload)) == _fact(event):
        return False
    raise FundsRefused(
        f"{event.event_type} {getattr(event, 'transfer_id', event.event_id)} is already "
        f"recorded at ledger sequence {sequence} with other content; a correction is a new "
        "transfer with its own reference (e.g. a return), never an edit"
    )


def _fact(event: Event) -> dict[str, object]:
    """What an event states, without when and by whom it was recorded."""
    return event.model_dump(exclude={"recorded_at", "source"})


def _source(operator: str | None) -> Source:
    return Source(system=SYSTEM, operator=operator)
