"""Constrained field types shared by every event: money, months, administrative codes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import Field, GetCoreSchemaHandler, GetJsonSchemaHandler, StrictInt
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

#: The largest amount of money one field, or one posting of the ledger, may hold (đồng).
MAX_VND = 10**15
#: Money is a whole number of đồng. Strict: 12.5, 12.0 and "12" are refused, never rounded.
VND = Annotated[StrictInt, Field(ge=0, le=MAX_VND, description="Amount in whole VND (đồng)")]
#: A position in the ledger's hash chain (an event's ``sequence``; 0 before the first event).
LedgerSequence = Annotated[StrictInt, Field(ge=0, le=2**63 - 1, description="Ledger sequence")]
#: A count of relief items (pieces, kilograms, boxes...) in whole units of the item.
Quantity = Annotated[StrictInt, Field(gt=0, le=10**9, description="Quantity in whole units")]

#: The pattern of a Month (checked by pydantic-core; schemas.errors explains a mismatch).
MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"

#: A calendar month, written "YYYY-MM" (business time of allowances and lists).
Month = Annotated[str, Field(pattern=MONTH_PATTERN)]

ProvinceCode = Annotated[
    str, Field(pattern=r"^\d{2}$", description="2-digit province code, e.g. 84 (Trà Vinh)")
]
DistrictCode = Annotated[str, Field(pattern=r"^\d{3}$", description="3-digit district code")]
CommuneCode = Annotated[str, Field(pattern=r"^\d{5}$", description="5-digit commune/ward code")]
CitizenId = Annotated[
    str, Field(pattern=r"^\d{12}$", description="12-digit citizen identity number (CCCD)")
]
#: The pattern and longest length of an Identifier (the command line checks them too).
IDENTIFIER_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:/-]*$"
IDENTIFIER_MAX = 64
#: Identifiers chosen by the department's systems (person, list, campaign, donor...).
Identifier = Annotated[
    str,
    Field(min_length=1, max_length=IDENTIFIER_MAX, pattern=IDENTIFIER_PATTERN),
]
#: An exact decimal coefficient such as 1.5 or 2.5 (never a binary float).
Coefficient = Annotated[Decimal, Field(ge=0, le=10, max_digits=4, decimal_places=2)]
Rate = Annotated[Decimal, Field(ge=0, le=1, max_digits=6, decimal_places=5)]


#: The error type of a timestamp that is not a date and time with a timezone.
UTC_DATETIME_ERROR = "utc_datetime"


class _Utc:
    """Validation of UtcDatetime: an instant already in UTC ("...Z", or a datetime built in
    Python with UTC) is taken as it is, checked by pydantic-core alone; any other aware one
    is converted to UTC; a naive one is refused (one error, UTC_DATETIME_ERROR)."""

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        converted = core_schema.no_info_after_validator_function(
            _to_utc, core_schema.datetime_schema(tz_constraint="aware")
        )
        return core_schema.union_schema(
            [core_schema.datetime_schema(tz_constraint=0), converted],
            mode="left_to_right",
            custom_error_type=UTC_DATETIME_ERROR,
            custom_error_message="Input should be a datetime with a timezone",
            # Written as a plain datetime: a union would first find which branch the value
            # fits, for every timestamp of every event serialized.
            serialization=core_schema.simple_ser_schema("datetime"),
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"type": "string", "format": "date-time"}


def _to_utc(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00:00+14:00, before the first UTC instant
        raise ValueError("has no UTC equivalent (out of the representable range)") from None


#: A timezone-aware instant, normalised to UTC. Naive datetimes are refused.
UtcDatetime = Annotated[datetime, _Utc]

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
