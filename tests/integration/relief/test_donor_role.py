"""The donor role reads the aggregate views of schema donor and nothing of the ledger."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ProgrammingError

from ledger import Ledger
from ledger.relief.totals import DIMENSIONS, donor_totals
from tests.integration.relief.donor_data import campaign_events
from tests.integration.relief.events import handout

pytestmark = pytest.mark.integration
TET = datetime(2022, 1, 20, 3, 0, tzinfo=UTC)


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
        # The rice cell hides with the wheelchair: the total of 7 less 6 would be one person.
        assert rows == [("RICE", True, None, None), ("WHEELCHAIR", True, None, None)]
        columns = conn.execute(text("SELECT * FROM donor.donation_totals")).keys()
        assert not {"person_id", "household_id", "full_name", "citizen_id"} & set(columns)
        with pytest.raises(ProgrammingError, match="permission denied"):
            conn.execute(text("SELECT count(*) FROM ledger.events"))


def test_a_district_total_less_the_shown_view_cells_never_gives_a_hidden_cell(
    relief_ledger: Ledger, relief_engine: Engine
) -> None:
    relief_ledger.append(
        [handout(f"P-{i:02d}", "RICE", 10) for i in range(10)]
        + [handout("P-SMALL-1", "WHEELCHAIR", 1), handout("P-SMALL-2", "WHEELCHAIR", 1)]
    )
    with relief_engine.connect() as conn:
        [district] = donor_totals(conn, ("district",)).rows
        conn.execute(text("SET ROLE aidledger_donor"))
        rows = conn.execute(
            text(
                "SELECT item_code, suppressed, value_vnd FROM donor.relief_totals"
                " WHERE district_code = '842' ORDER BY item_code"
            )
        ).all()
    assert district.hidden is None and district.values["distributed_vnd"] == 8_800_000
    # Shown, the rice cell (1,800,000) left 7,000,000: the two wheelchair recipients.
    assert rows == [("RICE", True, None), ("WHEELCHAIR", True, None)]


def test_the_view_hides_exactly_the_cells_the_report_by_every_dimension_hides(
    relief_ledger: Ledger, relief_engine: Engine
) -> None:
    sole = ["INSTANT-NOODLES", "MILK", "WHEELCHAIR"]
    relief_ledger.append(
        campaign_events()
        + [handout(f"R-{i:02d}", "RICE", 10, district="843") for i in range(20)]
        + [handout(f"B-{i:02d}", "COOKING-OIL", 2, donor="DONOR-B") for i in range(12)]
        + [handout("P-SOLE", item, 1, donor="DONOR-B") for item in sole]
        + [handout(f"R-{i:02d}", "WHEELCHAIR", 1, district="843") for i in range(3)]
        + [handout(f"T-{i:02d}", "GIFT-PACKAGE", 1, district="845", at=TET) for i in range(10)]
    )
    order = ("donor", "program", "province", "district", "month", "item")
    with relief_engine.connect() as conn:
        report = donor_totals(conn, order)
        report_again = donor_totals(conn, tuple(reversed(order)))
        view = conn.execute(
            text(
                "SELECT donor_id, campaign_id, province_code, district_code, month, item_code,"
                " suppressed FROM donor.relief_totals"
            )
        ).all()
    by_report = {r.key: r.hidden is not None for r in report.rows if r.values["handouts"]}
    assert {tuple(v[:6]): v[6] for v in view} == by_report
    assert any(by_report.values()) and not all(by_report.values())
    # Decided alike whatever the order of --by:
    assert {tuple(reversed(r.key)): r.hidden for r in report_again.rows} == {
        r.key: r.hidden for r in report.rows
    }
    assert set(order) == set(DIMENSIONS)
