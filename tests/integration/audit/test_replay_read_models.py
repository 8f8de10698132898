"""A store replay whose read models are projected by a second process (ledger.audit.read_models).

The result must be the replay's own, byte for byte: same tables, same digest, equal to live.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import pytest

from ledger import Ledger
from ledger.audit import history
from ledger.audit import replay as rp
from ledger.audit.db import Database
from ledger.audit.errors import AuditInputError, ReplayMismatch
from ledger.projectors import Numbered
from tests.integration.audit import scenario
from tests.integration.audit.conftest import domain_projectors

pytestmark = pytest.mark.integration


class FailingProjector:
    """A read model that cannot be written (its process must report why)."""

    name = "failing"

    def project(self, conn: Any, batch: Sequence[Numbered]) -> None:
        raise RuntimeError(f"cannot project {len(batch)} events")


def _apart(url: str, db: Database, name: str, projectors: list[Any]) -> rp.ReplayOutcome:
    stored = history.store_range(db, "ledger")
    return rp.rebuild(
        url,
        name,
        history.from_range(db, stored),
        projectors,
        source="store",
        batch=7,
        read_models_from=stored,
    )


def test_read_models_projected_apart_give_the_tables_the_replay_gives_on_its_own(
    live: Ledger, ledger_url: str, db: Database
) -> None:
    apart = rp.check(db, "ledger", _apart(ledger_url, db, "apart", domain_projectors()), exact=True)
    alone = rp.rebuild(
        ledger_url,
        "alone",
        history.from_store(db, "ledger"),
        domain_projectors(),
        source="store",
        batch=7,
    )
    rp.check(db, "ledger", alone, exact=True)

    assert apart.differences == [] and apart.appended == live.head()[0]
    assert apart.digest is not None and apart.digest == alone.digest
    rp.drop(db, "apart")
    rp.drop(db, "alone")


def test_a_store_range_leaves_out_events_appended_after_it_was_taken(
    live: Ledger, db: Database
) -> None:
    stored = history.store_range(db, "ledger")
    level = scenario.january()[0]  # the standard level, set again by a new event
    live.append([level.model_copy(update={"event_id": uuid.uuid4()})])

    assert stored.total == stored.through == live.head()[0] - 1
    assert len(list(history.from_range(db, stored))) == stored.total
    assert history.store_range(db, "ledger").total == stored.total + 1


def test_a_read_model_that_fails_in_its_process_fails_the_replay_with_its_reason(
    live: Ledger, ledger_url: str, db: Database
) -> None:
    with pytest.raises(ReplayMismatch, match="RuntimeError: cannot project"):
        _apart(ledger_url, db, "apart_failing", [FailingProjector()])
    rp.drop(db, "apart_failing")


def test_read_models_are_projected_apart_only_into_a_scratch_schema(
    live: Ledger, ledger_url: str, db: Database
) -> None:
    stored = history.store_range(db, "ledger")
    with pytest.raises(AuditInputError, match="only into a scratch schema"):
        rp.rebuild(
            ledger_url,
            "apart_live",
            [],
            [],
            source="store",
            into_empty=True,
            read_models_from=stored,
        )
