"""Relief campaigns of a synthetic district: donors pledge, goods arrive, items are handed out.

Each year: Tết gift packages (people aged 90+ and some others), essentials for landmine
victims in June, wheelchairs for some people with severe disabilities in September. Item
codes and units are those of the shipped catalogue (ledger/relief/catalogue.csv).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bench._synth_facts import RELIEF, build
from bench._synth_people import age_in
from schemas import Event
from schemas.eligibility import DisabilityLevel
from schemas.relief import DonationPledged, DonationReceived, ItemQuantity, ReliefItemHandedOut

if TYPE_CHECKING:
    from bench._synth_geography import District
    from bench._synth_life import Life


@dataclass(frozen=True, slots=True)
class Campaign:
    """One yearly campaign: its items, who receives them, and its calendar (month, day)."""

    code: str
    items: tuple[tuple[str, str, int, int], ...]  # item code, unit, quantity, unit value
    who: Callable[[Life, str, random.Random], bool]
    pledged: tuple[int, int]  # month offset from January of the campaign year, day
    received: tuple[int, int]
    handed_out: tuple[int, int]
    donor: Callable[[District], str]


def _tet(life: Life, month: str, rng: random.Random) -> bool:
    return age_in(month, life.person.birth) >= 90 or rng.random() < 0.2


def _landmine(life: Life, month: str, rng: random.Random) -> bool:
    return life.person.landmine


def _wheelchair(life: Life, month: str, rng: random.Random) -> bool:
    severe = (DisabilityLevel.SEVERE, DisabilityLevel.PARTICULARLY_SEVERE)
    return life.person.disability in severe and rng.random() < 0.03


CAMPAIGNS = (
    Campaign(
        "TET",
        (("GIFT-PACKAGE", "package", 1, 300_000),),
        _tet,
        (-1, 1),
        (0, 5),
        (0, 15),
        lambda d: f"DN{d.province_code}{d.index % 5 + 1:02d}",
    ),
    Campaign(
        "NNBM",
        (("RICE", "kg", 10, 15_000), ("COOKING-OIL", "litre", 2, 45_000)),
        _landmine,
        (4, 2),
        (4, 20),
        (5, 12),
        lambda d: "DN-INTL-01",
    ),
    Campaign(
        "TBTG",
        (("WHEELCHAIR", "piece", 1, 2_800_000),),
        _wheelchair,
        (7, 1),
        (7, 25),
        (8, 14),
        lambda d: f"DN{d.province_code}90",
    ),
)


def _when(year: int, offset_day: tuple[int, int]) -> datetime:
    month0 = year * 12 + offset_day[0]
    return datetime(month0 // 12, month0 % 12 + 1, offset_day[1], 2, tzinfo=UTC)


def relief_events(
    seed: int, district: District, lives: Sequence[Life], after: datetime, until: datetime
) -> list[Event]:
    """Every pledge, receipt and handout of the district's campaigns in (after, until]."""
    events: list[Event] = []
    for year in range(after.year, until.year + 2):
        for campaign in CAMPAIGNS:
            events += _campaign(seed, district, lives, year, campaign, after, until)
    return events


def _campaign(
    seed: int,
    district: District,
    lives: Sequence[Life],
    year: int,
    campaign: Campaign,
    after: datetime,
    until: datetime,
) -> list[Event]:
    cid = f"{campaign.code}{year}-{district.district_code}"
    donor, province = campaign.donor(district), district.province_code
    rng = random.Random(f"{seed}/relief/{cid}")
    handed = _when(year, campaign.handed_out)
    month = f"{handed.year:04d}-{handed.month:02d}"
    events: list[Event] = []
    pledged, received = _when(year, campaign.pledged), _when(year, campaign.received)
    if not any(after < when <= until for when in (pledged, received, handed)):
        return events
    expected = sum(1 for life in lives if life.person.paid and campaign.who(life, month, rng))
    if expected == 0:
        return events
    goods = tuple(
        ItemQuantity(item_code=code, quantity=qty * expected, unit=unit, unit_value_vnd=value)
        for code, unit, qty, value in campaign.items
    )
    pledge_id = f"PLG-{cid}"
    if after < pledged <= until:
        events.append(
            build(
                seed,
                DonationPledged,
                (cid,),
                pledged,
                RELIEF,
                donor_id=donor,
                campaign_id=cid,
                items=goods,
                province_code=province,
                pledge_id=pledge_id,
            )
        )
    if after < received <= until:
        if rng.random() < 0.15:  # part of the pledge never arrives
            goods = tuple(
                g.model_copy(update={"quantity": max(1, g.quantity * 4 // 5)}) for g in goods
            )
        events.append(
            build(
                seed,
                DonationReceived,
                (cid,),
                received,
                RELIEF,
                donor_id=donor,
                campaign_id=cid,
                items=goods,
                province_code=province,
                receipt_id=f"RCV-{cid}",
                pledge_id=pledge_id,
            )
        )
    if not after < handed <= until:
        return events
    for life in lives:
        if not (life.active() and campaign.who(life, month, rng)):
            continue
        person, commune = life.person, life.commune
        household = rng.random() < 0.05
        for code, unit, qty, value in campaign.items:
            events.append(
                build(
                    seed,
                    ReliefItemHandedOut,
                    (cid, person.person_id, code),
                    handed,
                    RELIEF,
                    campaign_id=cid,
                    donor_id=donor,
                    item_code=code,
                    quantity=qty,
                    unit=unit,
                    unit_value_vnd=value,
                    distribution_point=f"UBND xã {commune.commune_code}",
                    province_code=commune.province_code,
                    district_code=commune.district_code,
                    commune_code=commune.commune_code,
                    person_id=None if household else person.person_id,
                    household_id=person.household_id if household else None,
                )
            )
    return events
