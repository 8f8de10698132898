"""docs/operations.md names what operators look for: metrics, recovery commands, roles."""

from pathlib import Path

import pytest

pytestmark = pytest.mark.deploy

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "operations.md"


@pytest.mark.parametrize(
    "term",
    [
        "aidledger_events_processed_total",
        "aidledger_deadletters_total",
        "aidledger_batch_seconds",
        "aidledger_ledger_lag",
        "aidledger audit replay --from-kafka",
        "aidledger audit verify",
        "aidledger db migrate",
        "pg_basebackup",
        "recovery_target_time",
        "min.insync.replicas",
        "aidledger_owner",
        "aidledger_app",
        "aidledger_auditor",
        "aidledger_donor",
    ],
)
def test_operations_guide_mentions(term: str) -> None:
    assert term in GUIDE.read_text(encoding="utf-8")
