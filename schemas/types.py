"""Constrained field types shared by every event: money, months, administrative codes."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field, StrictInt

#: Money is a whole number of đồng. Strict: 12.5, 12.0 and "12" are refused, never rounded.
VND = Annotated[StrictInt, Field(ge=0, le=10**15, description="Amount in whole VND (đồng)")]
#: A count of relief items (pieces, kilograms, boxes...) in whole units of the item.
Quantity = Annotated[StrictInt, Field(gt=0, le=10**9, description="Quantity in whole units")]

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _check_month(value: str) -> str:
    if not _MONTH.match(value):
        raise ValueError(f"{value!r} is not a month written as YYYY-MM, e.g. 2025-03")
    return value


#: A calendar month, written "YYYY-MM" (business time of allowances and lists).
Month = Annotated[str, AfterValidator(_check_month)]

ProvinceCode = Annotated[
    str, Field(pattern=r"^\d{2}$", description="2-digit province code, e.g. 84 (Trà Vinh)")
]
DistrictCode = Annotated[str, Field(pattern=r"^\d{3}$", description="3-digit district code")]
CommuneCode = Annotated[str, Field(pattern=r"^\d{5}$", description="5-digit commune/ward code")]
CitizenId = Annotated[
    str, Field(pattern=r"^\d{12}$", description="12-digit citizen identity number (CCCD)")
]
#: Identifiers chosen by the department's systems (person, list, campaign, donor...).
Identifier = Annotated[
    str,
    Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/-]*$"),
]
#: An exact decimal coefficient such as 1.5 or 2.5 (never a binary float).
Coefficient = Annotated[Decimal, Field(ge=0, le=10, max_digits=4, decimal_places=2)]
Rate = Annotated[Decimal, Field(ge=0, le=1, max_digits=6, decimal_places=5)]


def _to_utc(value: datetime) -> datetime:
    # Events built in Python (payroll, imports) already carry UTC: nothing to convert.
    return value if value.tzinfo is UTC else value.astimezone(UTC)


#: A timezone-aware instant, normalised to UTC. Naive datetimes are refused.
UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]

__all__ = [
    "VND",
    "CitizenId",
    "Coefficient",
    "CommuneCode",
    "DistrictCode",
    "Identifier",
    "Month",
    "ProvinceCode",
    "Quantity",
    "Rate",
    "UtcDatetime",
    "date",
]
