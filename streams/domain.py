"""Domain processing: facts that imply others (a death, a resumption) produce those events.

The rules live in ``ledger.payroll.implied.implied_events(event, ledger)``; their ids are
deterministic, so a batch processed twice publishes the same ids and the ledger keeps one.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterable

from ledger import Ledger
from schemas.envelope import Event

log = logging.getLogger("aidledger.streams")

ImpliedRule = Callable[[Event, Ledger], list[Event]]
_RULES_MODULE = "ledger.payroll.implied"


def load_implied_rule() -> ImpliedRule | None:
    """``implied_events`` from the payroll rules, or None while that module does not exist."""
    try:
        module = importlib.import_module(_RULES_MODULE)
    except ModuleNotFoundError as exc:
        if exc.name in {_RULES_MODULE, "ledger.payroll"}:
            return None
        raise  # the module exists but one of its own imports is broken: say so
    rule: ImpliedRule = module.implied_events
    return rule


class DomainProcessor:
    """Works out the events implied by a committed batch's eligibility events."""

    def __init__(self, ledger: Ledger, rule: ImpliedRule | None) -> None:
        self.ledger = ledger
        self.rule = rule
        if rule is None:
            log.warning(
                "domain processing is off: %s.implied_events does not exist yet, so deaths and"
                " resumptions do not produce their implied events",
                _RULES_MODULE,
            )

    @property
    def enabled(self) -> bool:
        return self.rule is not None

    def implied(self, events: Iterable[Event]) -> list[Event]:
        """Implied events of the eligibility events given (blocking: reads the ledger)."""
        if self.rule is None:
            return []
        out: list[Event] = []
        for event in events:
            if event.family == "eligibility":
                out.extend(self.rule(event, self.ledger))
        return out
