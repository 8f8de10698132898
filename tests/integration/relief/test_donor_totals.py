"""Donor totals from the real ledger: figures, dimensions and small-count suppression."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from ledger import Ledger
from ledger.relief.suppression import COMPLEMENTARY, FEWER_THAN_5
from ledger.relief.totals import donor_totals
from tests.integration.relief.donor_data import campaign_events

pytestmark = pytest.mark.integration


@pytest.fixture
def engine(relief_ledger: Ledger, relief_engine: Engine) -> Engine:
    relief_ledger.append(campaign_events())
    return relief_engine


def test_overall_totals_add_up_money_goods_and_recipients(engine: Engine) -> None:
    with engine.connect() as conn:
        report = donor_totals(conn)
    [row] = report.rows
    v = row.values
    assert (v["pledged_cash_vnd"], v["received_cash_vnd"]) == (50_000_000, 30_000_000)
    assert v["received_items_vnd"] == 600 * 18_000
    assert v["distributed_vnd"] == 230 * 18_000 + 6 * 110_000 + 16 * 45_000
    assert (v["handouts"], v["people"], v["households"]) == (37, 29, 8)
    assert row.held_vnd == 30_000_000 + 600 * 18_000 - v["distributed_vnd"]
    assert report.total == row


def test_a_district_of_three_people_is_hidden_with_a_complementary_district(
    engine: Engine,
) -> None:
    with engine.connect() as conn:
        report = donor_totals(conn, ("district",))
    by_key = {r.key: r for r in report.rows}
    assert by_key[("842",)].hidden is None and by_key[("842",)].values["people"] == 26
    assert by_key[("843",)].hidden == FEWER_THAN_5
    assert by_key[("843",)].shown("distributed_vnd") is None
    assert by_key[("844",)].hidden == COMPLEMENTARY
    assert by_key[(None,)].values["received_cash_vnd"] == 30_000_000  # province-level money
    assert report.total.values["distributed_vnd"] == sum(
        r.values["distributed_vnd"] for r in report.rows
    )


def test_items_per_month_carry_quantities_and_the_donor_filter_applies(engine: Engine) -> None:
    with engine.connect() as conn:
        report = donor_totals(conn, ("month", "item"), donor="DONOR-A")
        nobody = donor_totals(conn, ("item",), donor="DONOR-Z")
    rice = next(r for r in report.rows if r.key == ("2021-08", "RICE"))
    assert (rice.values["distributed_quantity"], rice.values["received_quantity"]) == (230, 600)
    assert rice.values["people"] == 23
    assert nobody.rows == [] and nobody.total.values["handouts"] == 0
