"""Validation errors worded for the people who fix the data, not for programmers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from schemas.types import MONTH_PATTERN, UTC_DATETIME_ERROR


@dataclass(frozen=True)
class FieldProblem:
    """One thing wrong with one field of a record."""

    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}" if self.field else self.reason


class AidLedgerError(Exception):
    """Base of every error aidledger reports to a person (shown without a traceback)."""

    #: Exit code of the CLI when this error ends a command.
    exit_code = 1


class InvalidEvent(AidLedgerError, ValueError):
    """An event was refused; ``problems`` name each field and what is wrong with it."""

    exit_code = 3

    def __init__(self, record: str, problems: list[FieldProblem]) -> None:
        self.record = record
        self.problems = problems
        super().__init__(self.message)

    @property
    def message(self) -> str:
        details = "; ".join(str(p) for p in self.problems)
        return f"{self.record} was refused: {details}"

    @classmethod
    def single(cls, record: str, field: str, reason: str) -> InvalidEvent:
        return cls(record, [FieldProblem(field, reason)])


_FIELD_HINTS = {
    "commune_code": "a 5-digit commune code",
    "district_code": "a 3-digit district code",
    "province_code": "a 2-digit province code",
    "citizen_id": "a 12-digit citizen identity number",
    "card_number": "a BHYT card number: 2 capital letters then 13 digits",
    "digest": "a 64-character lowercase SHA-256 hex digest",
}
#: Hints by pattern, for types used under many field names.
_PATTERN_HINTS = {MONTH_PATTERN: "a month written as YYYY-MM, e.g. 2025-03"}


def _location(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        elif item.startswith("function-") or item in {"function-after", "function-before"}:
            continue
        else:
            parts.append(("." if parts else "") + item)
    return "".join(parts)


def _reason(err: Any, event_type: str) -> str:
    kind = err["type"]
    value = err.get("input")
    ctx = err.get("ctx") or {}
    field = str(err["loc"][-1]) if err["loc"] else ""
    if kind == "missing":
        return "is required but missing"
    if kind == "extra_forbidden":
        return f"is not a field of {event_type}; remove it or check its spelling"
    if kind in {"int_type", "int_from_float", "int_parsing"}:
        if isinstance(value, float):
            return f"must be a whole number (amounts are whole đồng), got {value!r}"
        return f"must be a whole number, got {value!r}"
    if kind == "greater_than_equal" and ctx.get("ge") == 0:
        return f"must not be negative, got {value!r}"
    if kind == "greater_than" and ctx.get("gt") == 0:
        return f"must be more than zero, got {value!r}"
    if kind == "string_pattern_mismatch":
        hint = _FIELD_HINTS.get(field) or _PATTERN_HINTS.get(ctx.get("pattern", ""))
        return f"must be {hint}, got {value!r}" if hint else f"has an invalid format: {value!r}"
    if kind in {"timezone_aware", UTC_DATETIME_ERROR}:
        return (
            "must be a date and time that includes a timezone (e.g. 2025-03-05T08:00:00+07:00),"
            f" between the years 1 and 9999 in UTC, got {value!r}"
        )
    if kind == "enum":
        return f"must be one of {ctx.get('expected')}, got {value!r}"
    if kind == "literal_error" and field == "schema_version":
        return f"version {value!r} is not known for {event_type}"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    return f"{err['msg'].rstrip('.').lower()} (got {value!r})"


def from_validation_error(exc: ValidationError, record: str, event_type: str) -> InvalidEvent:
    """Turn pydantic's error list into an InvalidEvent naming each field and reason."""
    problems = [
        FieldProblem(_location(tuple(err["loc"])), _reason(err, event_type))
        for err in exc.errors(include_url=False)
    ]
    return InvalidEvent(record, problems)
