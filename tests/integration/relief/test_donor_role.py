"""The donor role reads the aggregate views of schema donor and nothing of the ledger."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ProgrammingError

from ledger import Ledger
from tests.integration.relief.events import handout

pytestmark = pytest.mark.integration


def test_the_donor_role_selects_the_views_but_not_the_ledger_events(
    relief_ledger: Ledger, relief_engine: Engine
) -> None:
    relief_ledger.append(
        [handout(f"P-{i}", "RICE", 10) for i in range(6)] + [handout("P-99", "WHEELCHAIR", 1)]
    )
    with relief_engine.connect() as conn:
        conn.execute(text("SET ROLE aidledger_donor"))
        rows = conn.execute(
            text(
                "SELECT item_code, suppressed, quantity, people FROM donor.relief_totals"
                " ORDER BY item_code"
            )
        ).all()
        assert rows == [("RICE", False, 60, 6), ("WHEELCHAIR", True, None, None)]
        columns = conn.execute(text("SELECT * FROM donor.donation_totals")).keys()
        assert not {"person_id", "household_id", "full_name", "citizen_id"} & set(columns)
        with pytest.raises(ProgrammingError, match="permission denied"):
            conn.execute(text("SELECT count(*) FROM ledger.events"))
