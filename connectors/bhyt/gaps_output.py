"""Coverage gaps as records for the department's officers (this list names persons)."""

from __future__ import annotations

from datetime import date
from typing import Any

from ledger.bhyt.gaps import NO_VALID_CARD, CoverageGap

TITLES = {
    NO_VALID_CARD: "entitled to a state-paid card, no valid card",
    "card_not_entitled": "card still valid, no longer entitled",
}


#: The columns of ``records``, also for a report with no gap.
COLUMNS = ("gap", "person_id", "district", "commune", "card_number", "valid_to", "reason")


def records(gaps: list[CoverageGap]) -> list[dict[str, Any]]:
    """One record per gap, in kind then person order."""
    return [
        {
            "gap": TITLES.get(g.kind, g.kind),
            "person_id": g.person_id,
            "district": g.district_code,
            "commune": g.commune_code,
            "card_number": g.card_number,
            "valid_to": g.valid_to.isoformat() if g.valid_to else None,
            "reason": g.reason,
        }
        for g in gaps
    ]


def document(province: str, on: date, gaps: list[CoverageGap]) -> dict[str, Any]:
    """The JSON document: what was asked, counts per kind, and every gap."""
    counts = {kind: sum(1 for g in gaps if g.kind == kind) for kind in TITLES}
    return {
        "report": "BHYT coverage gaps",
        "province": province,
        "on": on.isoformat(),
        "counts": counts,
        "gaps": records(gaps),
    }
