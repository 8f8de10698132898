"""Canonical JSON: the exact bytes that are stored, hashed and signed for an event."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import orjson

from schemas.canonical_model import CanonicalModel, serializes_canonically

if TYPE_CHECKING:
    from pydantic import BaseModel

_OPTIONS = orjson.OPT_SORT_KEYS


def canonical_bytes(data: Any) -> bytes:
    """JSON with sorted keys, no spaces, UTF-8: one byte string per value, forever."""
    return orjson.dumps(data, option=_OPTIONS)


def canonical_json(event: BaseModel) -> bytes:
    """The canonical bytes of an event (what the hash chain covers)."""
    if isinstance(event, CanonicalModel) and serializes_canonically(type(event)):
        return event.__pydantic_serializer__.to_json(event)
    return canonical_bytes(event.model_dump(mode="json"))


def event_digest(event: BaseModel) -> str:
    """SHA-256 hex of the canonical event: equal payloads have equal digests."""
    return hashlib.sha256(canonical_json(event)).hexdigest()


def lines_digest(lines: Iterable[BaseModel]) -> str:
    """SHA-256 hex over the canonical payment lines, in list order (the list digest).

    The canonical JSON array of the lines: ``[line,line,...]``, each line as ``canonical_json``
    writes it.
    """
    return hashlib.sha256(
        b"[" + b",".join([canonical_json(line) for line in lines]) + b"]"
    ).hexdigest()
