"""PostgreSQL COPY text format: one line per row, tab-separated, ``\\N`` for NULL."""

from __future__ import annotations

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})

NULL = "\\N"


def text(value: str | None) -> str:
    """A text field: backslash, tab, newline and carriage return escaped."""
    if value is None:
        return NULL
    return value.translate(_ESCAPES)


def json_text(payload: bytes) -> str:
    """Canonical JSON as a text field: JSON has no raw control characters, only backslashes."""
    decoded = payload.decode()
    return decoded.replace("\\", "\\\\") if "\\" in decoded else decoded


def bytea(value: bytes) -> str:
    """A bytea field in hex form (the backslash itself escaped for COPY)."""
    return "\\\\x" + value.hex()


def optional(value: object) -> str:
    """A number or date field, ``\\N`` when None."""
    return NULL if value is None else str(value)
