"""U+0000 (NUL): valid in JSON and in a Python string, but PostgreSQL stores it in no text
column and refuses it when a stored payload is read as jsonb, so no event may carry it.

The check runs once per event on bytes already at hand: a C-level scan for the JSON escape
``\\u0000`` (the only way JSON can write a NUL), and only when that finds one, a precise walk
(the scan also finds an escaped backslash followed by ``u0000``, which is no NUL).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson

from schemas.errors import FieldProblem, InvalidEvent

_ESCAPE = b"\\u0000"
NUL_REASON = (
    "contains a NUL character (U+0000, written \\u0000 in JSON), which the ledger cannot"
    " store; remove it and send the event again"
)


def nul_fields(payload: bytes) -> list[str]:
    """The fields of a JSON payload whose text holds U+0000, as ``a.b[0].c``; [] for JSON
    without any (one scan of the bytes) and for bytes that are not JSON."""
    if _ESCAPE not in payload:
        return []
    try:
        data = orjson.loads(payload)
    except orjson.JSONDecodeError:
        return []
    return list(_paths(data, ""))


def refuse_nul(payload: bytes, record: str) -> None:
    """Raise InvalidEvent naming each field of ``payload`` that holds U+0000."""
    fields = nul_fields(payload)
    if fields:
        raise InvalidEvent(record, [FieldProblem(f, NUL_REASON) for f in fields])


def _paths(value: Any, path: str) -> Iterator[str]:
    if isinstance(value, str):
        if "\x00" in value:
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{path}.{key}" if path else key
            if "\x00" in key:
                yield f"{name!r} (a field name)"
            yield from _paths(item, name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, f"{path}[{index}]")
