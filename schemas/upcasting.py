"""Upcasters: old ``schema_version``s are upgraded on read; stored events are never rewritten."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Raw = dict[str, Any]


def upcast_beneficiary_registered_v1_v2(raw: Raw) -> Raw:
    """Version 1 called the person's name ``name``; version 2 calls it ``full_name``."""
    upgraded = {k: v for k, v in raw.items() if k != "name"}
    if "name" in raw:
        upgraded["full_name"] = raw["name"]
    upgraded["schema_version"] = 2
    return upgraded


def upcast_reconciliation_closed_v1_v2(raw: Raw) -> Raw:
    """Version 1 did not say which ledger position its totals were computed at: None (the
    close's own sequence is then its cut)."""
    return {**raw, "as_of_sequence": None, "schema_version": 2}


def upcast_card_revoked_v1_v2(raw: Raw) -> Raw:
    """Version 1 could not name the card period it revoked: None (every period of the
    number recorded before it)."""
    return {**raw, "card_valid_from": None, "schema_version": 2}


#: (event_type, version it upgrades from) -> function producing the next version.
UPCASTERS: dict[tuple[str, int], Callable[[Raw], Raw]] = {
    ("BeneficiaryRegistered", 1): upcast_beneficiary_registered_v1_v2,
    ("ReconciliationClosed", 1): upcast_reconciliation_closed_v1_v2,
    ("HealthInsuranceCardRevoked", 1): upcast_card_revoked_v1_v2,
}


def upcast(raw: Raw, current_version: int) -> Raw:
    """Apply upcasters one version at a time until ``raw`` is at ``current_version``."""
    event_type = raw.get("event_type")
    version = raw.get("schema_version")
    while isinstance(version, int) and not isinstance(version, bool) and version < current_version:
        step = UPCASTERS.get((str(event_type), version))
        if step is None:
            break  # validation then reports the unknown version
        raw = step(raw)
        version = raw["schema_version"]
    return raw
