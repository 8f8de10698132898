"""Models whose fields are kept in sorted order, so pydantic-core writes canonical JSON itself.

Canonical JSON is sorted keys, no spaces, UTF-8 (``schemas.canonical``). pydantic-core
serializes a model's fields in the order validation stored them, and validation follows the
order of its core schema; sorting that schema's fields by name makes
``model.__pydantic_serializer__.to_json(model)`` produce exactly the canonical bytes, about
twice as fast as dumping to Python and re-encoding with sorted keys (the ledger computes these
bytes for every event it appends).

Only models whose values are all written the same way by both encoders qualify: no dict
(its keys keep insertion order), float, ``Any`` or raw JSON anywhere inside. Others keep the
slower path; ``canonical.canonical_json`` chooses, and a unit test checks both give the same
bytes for every event type.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, GetCoreSchemaHandler
from pydantic_core import CoreSchema

#: Core schema types whose JSON may differ between pydantic-core and sorted orjson.
_UNSORTED = frozenset({"dict", "float", "any", "json", "typed-dict", "dataclass"})


def _sort_fields(node: Any) -> Any:
    """Sort every model's fields by name, in place, through the whole schema tree."""
    if isinstance(node, dict):
        if node.get("type") == "model-fields":
            node["fields"] = dict(sorted(node["fields"].items()))
        for value in node.values():
            _sort_fields(value)
    elif isinstance(node, list):
        for value in node:
            _sort_fields(value)
    return node


def _types_in(node: Any, found: set[str]) -> set[str]:
    if isinstance(node, dict):
        kind = node.get("type")
        if isinstance(kind, str):
            found.add(kind)
        for value in node.values():
            _types_in(value, found)
    elif isinstance(node, list):
        for value in node:
            _types_in(value, found)
    return found


class CanonicalModel(BaseModel):
    """A model validated (and so serialized) with its fields in sorted name order."""

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[BaseModel], handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return _sort_fields(handler(source))  # type: ignore[no-any-return]


_DIRECT: dict[type, bool] = {}


def serializes_canonically(cls: type[CanonicalModel]) -> bool:
    """True when pydantic-core's own JSON of ``cls`` is its canonical JSON."""
    known = _DIRECT.get(cls)
    if known is None:
        schema = cls.__pydantic_core_schema__
        if not isinstance(schema, dict):  # not fully defined yet: decide later
            return False
        # Nested models must keep sorted fields too.
        nested_ok = all(
            issubclass(sub, CanonicalModel) for sub in _model_classes(schema) if sub is not cls
        )
        known = _DIRECT[cls] = nested_ok and not (_types_in(schema, set()) & _UNSORTED)
    return known


def _model_classes(node: Any, found: list[type] | None = None) -> list[type]:
    found = [] if found is None else found
    if isinstance(node, dict):
        if node.get("type") == "model" and isinstance(node.get("cls"), type):
            found.append(node["cls"])
        for value in node.values():
            _model_classes(value, found)
    elif isinstance(node, list):
        for value in node:
            _model_classes(value, found)
    return found
