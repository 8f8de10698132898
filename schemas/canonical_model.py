"""Models whose fields are kept in sorted order, so pydantic-core writes canonical JSON itself.

Canonical JSON is sorted keys, no spaces, UTF-8 (``schemas.canonical``). pydantic-core
serializes a model's fields in the order validation stored them, and validation follows the
order of its core schema; sorting that schema's fields by name makes
``model.__pydantic_serializer__.to_json(model)`` produce exactly the canonical bytes, about
twice as fast as dumping to Python and re-encoding with sorted keys (the ledger computes these
bytes for every event it appends).

Only models whose values are all written the same way by both encoders qualify: no dict
(its keys keep insertion order) unless it is a ``SortedKeys`` dict (validated into key
order), no float, ``Any`` or raw JSON anywhere inside. Others keep the slower path;
``canonical.canonical_json`` chooses, and a unit test checks both give the same bytes for
every event type.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, GetCoreSchemaHandler
from pydantic_core import CoreSchema

#: Core schema types whose JSON may differ between pydantic-core and sorted orjson.
_UNSORTED = frozenset({"dict", "float", "any", "json", "typed-dict", "dataclass"})


def _dicts(node: Any) -> Iterator[dict[str, Any]]:
    """Every dict in a core schema tree, parents before children."""
    if isinstance(node, dict):
        yield node
        for value in list(node.values()):
            yield from _dicts(value)
    elif isinstance(node, list):
        for value in node:
            yield from _dicts(value)


def _sort_fields(schema: Any) -> Any:
    """Sort every model's fields by name, in place, through the whole schema tree."""
    for node in _dicts(schema):
        if node.get("type") == "model-fields":
            node["fields"] = dict(sorted(node["fields"].items()))
    return schema


class CanonicalModel(BaseModel):
    """A model validated (and so serialized) with its fields in sorted name order."""

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[BaseModel], handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return _sort_fields(handler(source))  # type: ignore[no-any-return]


K = TypeVar("K")
V = TypeVar("V")


def sorted_keys(value: dict[K, V]) -> dict[K, V]:
    """The same dict with its keys in sorted order (as canonical JSON writes them)."""
    if len(value) < 2:
        return value
    keys = list(value)
    if keys == sorted(keys):  # type: ignore[type-var]
        return value
    return {k: value[k] for k in sorted(keys)}  # type: ignore[type-var]


#: A dict field kept in key order, so pydantic-core writes it as canonical JSON does.
SortedKeys = Annotated[dict[K, V], AfterValidator(sorted_keys)]


def _sorted_dicts(nodes: list[dict[str, Any]]) -> set[int]:
    """ids of the dict schemas that ``sorted_keys`` validates (their keys are in order)."""
    return {
        id(n["schema"])
        for n in nodes
        if n.get("type") == "function-after"
        and isinstance(n.get("function"), dict)
        and n["function"].get("function") is sorted_keys
        and isinstance(n.get("schema"), dict)
        and n["schema"].get("type") == "dict"
    }


_DIRECT: dict[type, bool] = {}


def serializes_canonically(cls: type[CanonicalModel]) -> bool:
    """True when pydantic-core's own JSON of ``cls`` is its canonical JSON."""
    known = _DIRECT.get(cls)
    if known is None:
        schema = cls.__pydantic_core_schema__
        if not isinstance(schema, dict):  # not fully defined yet: decide later
            return False
        nodes = list(_dicts(schema))
        # Nested models must keep sorted fields too.
        nested = (n["cls"] for n in nodes if n.get("type") == "model" and n.get("cls") is not cls)
        ordered = _sorted_dicts(nodes)
        types = {n.get("type") for n in nodes if id(n) not in ordered}
        known = _DIRECT[cls] = all(
            isinstance(c, type) and issubclass(c, CanonicalModel) for c in nested
        ) and not (types & _UNSORTED)
    return known
