"""Options several commands share, checked while the command line is read.

A month, date, code, schema name, event id, reference, rate or format that cannot be right is
a usage error (exit code 2, naming the option) before the command body runs: nothing is
started (no embedded PostgreSQL or broker left running) and nothing is read only to refuse an
argument.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated
from uuid import UUID

import typer

from ledger.errors import InvalidSchemaName
from ledger.storage import checked_schema
from schemas.types import IDENTIFIER_MAX, IDENTIFIER_PATTERN, MONTH_PATTERN

_MONTH = re.compile(MONTH_PATTERN)


def month(value: str | None) -> str | None:
    """YYYY-MM (a real month), or None when the option was not given."""
    if value is not None and not _MONTH.match(value):
        raise typer.BadParameter(f"{value!r} is not a month written as YYYY-MM, e.g. 2025-03")
    return value


def months(values: list[str] | None) -> list[str] | None:
    """Each of a repeated month option (see ``month``)."""
    for value in values or ():
        month(value)
    return values


def day(value: str | None) -> str | None:
    """YYYY-MM-DD (a real date), or None when the option was not given."""
    if value is not None:
        try:
            date.fromisoformat(value)
        except ValueError:
            raise typer.BadParameter(
                f"{value!r} is not a date written YYYY-MM-DD, e.g. 2025-03-31"
            ) from None
    return value


def _digits(count: int, what: str) -> Callable[[str | None], str | None]:
    def check(value: str | None) -> str | None:
        if value is not None and not re.fullmatch(rf"\d{{{count}}}", value):
            raise typer.BadParameter(f"a {what} code has {count} digits, got {value!r}")
        return value

    return check


def one_of(*allowed: str) -> Callable[[str], str]:
    """A callback that accepts only ``allowed`` (formats, groupings)."""

    def check(value: str) -> str:
        if value not in allowed:
            raise typer.BadParameter(f"{value!r} is not one of {', '.join(allowed)}")
        return value

    return check


def dimensions(value: str | None) -> str | None:
    """``--by`` of donor totals: every name a dimension (comma separated)."""
    from ledger.relief.totals import DIMENSIONS

    names = [n.strip().lower() for n in (value or "").split(",") if n.strip()]
    unknown = [n for n in names if n not in DIMENSIONS]
    if unknown:
        raise typer.BadParameter(
            f"{', '.join(unknown)} is not a dimension (choose from {', '.join(DIMENSIONS)})"
        )
    return value


province = _digits(2, "province")
district = _digits(3, "district")


def schema(value: str | None) -> str | None:
    """A schema name the ledger can write into SQL text: a-z, 0-9 and _ (or None)."""
    if value is None:
        return None
    try:
        return checked_schema(value)
    except InvalidSchemaName:
        raise typer.BadParameter(
            f"{value!r} is not a schema name aidledger uses: a-z, 0-9 and _, "
            "starting with a letter or _"
        ) from None


def event_id(value: str) -> str:
    """An event id: a UUID (any usual spelling)."""
    try:
        UUID(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not an event id (a UUID)") from None
    return value


_IDENTIFIER = re.compile(IDENTIFIER_PATTERN)


def identifier(value: str | None) -> str | None:
    """An id chosen by the department (a reference, post office or list id): letters, digits
    and ``._:/-``, up to 64 characters, starting with a letter or digit (or None)."""
    if value is not None and not (len(value) <= IDENTIFIER_MAX and _IDENTIFIER.match(value)):
        raise typer.BadParameter(
            f"{value!r} is not an id: letters, digits and . _ : / -, "
            f"up to {IDENTIFIER_MAX} characters"
        )
    return value


def rate(value: str) -> str:
    """A rate such as 0.0045 (0.45 %): more than 0, at most 1, up to 5 decimals."""
    try:
        parsed = Decimal(value)
    except InvalidOperation:
        raise typer.BadParameter(f"{value!r} is not a rate such as 0.0045") from None
    exponent = parsed.as_tuple().exponent
    if not parsed.is_finite() or not 0 < parsed <= 1 or -int(exponent) > 5:
        raise typer.BadParameter(
            f"{value!r} is not a rate: more than 0, at most 1, up to 5 decimals (0.0045 is 0.45 %)"
        )
    return value


Province = Annotated[
    str, typer.Option("--province", help="2-digit province code, e.g. 84.", callback=province)
]
OptionalProvince = Annotated[
    str | None, typer.Option("--province", help="Only this province.", callback=province)
]
District = Annotated[
    str | None, typer.Option("--district", help="Only this district.", callback=district)
]
