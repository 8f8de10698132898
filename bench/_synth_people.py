"""A synthetic beneficiary: who they are, their group and age, and their decided facts.

Everything about person ``index`` comes from ``random.Random(f"{seed}/{index}")``, so a person
is the same whatever the scale, order or process that builds them.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

from bench._synth_facts import Decision, Fact, Registration, Stop
from bench._synth_geography import Commune
from bench._synth_policy import coefficient
from schemas.eligibility import BeneficiaryGroup as G
from schemas.eligibility import DisabilityLevel, Sex, TerminationReason
from schemas.months import add_months


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


#: Family names weighted roughly by frequency (Nguyễn is about 38% of people).
FAMILY = tuple(
    name
    for entry in _words("Nguyễn:38 Trần:11 Lê:10 Phạm:7 Hoàng:1 Huỳnh:1 Phan:2 Vũ:1 Võ:2 Đặng:1")
    + _words("Bùi:1 Đỗ:1 Hồ:1 Ngô:1 Dương:1 Lý:1 Thạch:1 Kim:1 Sơn:1")
    for name in [entry.split(":")[0]] * int(entry.split(":")[1])
)
MIDDLE = {
    Sex.FEMALE: ("Thị",) * 6 + _words("Ngọc Thu Kim"),
    Sex.MALE: ("Văn",) * 5 + _words("Hữu Đức Minh Quang Công"),
}
GIVEN = {
    Sex.FEMALE: _words("Lan Hoa Hương Mai Hạnh Thảo Nga Tuyết Cúc Đào Hồng Liên Phượng Xuân Thu")
    + _words("Sen Nhung Bích Loan"),
    Sex.MALE: _words("Hùng Dũng Minh Tuấn Nam Sơn Hải Long Bình Phúc Thành Tâm Quý Lộc Tài")
    + _words("Chiến Thắng Khải Sang"),
}
#: (group, share, youngest, oldest age at the first decision)
MIX = (
    (G.ELDERLY_80_NO_PENSION, 0.40, 80, 100),
    (G.ELDERLY_POOR_NO_SUPPORTER, 0.07, 60, 90),
    (G.DISABILITY_SEVERE, 0.24, 3, 90),
    (G.DISABILITY_PARTICULARLY_SEVERE, 0.12, 1, 90),
    (G.LANDMINE_VICTIM, 0.02, 25, 80),
    (G.CHILD_NO_CAREGIVER, 0.03, 0, 15),
    (G.HIV_POOR_HOUSEHOLD, 0.02, 20, 60),
    (G.SINGLE_PARENT_POOR, 0.085, 20, 50),
    (None, 0.015, 5, 80),  # a mild disability: registered, never paid
)
THRESHOLDS = (4, 16, 22, 60, 80)


def age_in(month: str, birth: date) -> int:
    """Age during ``month``: the birthday month already counts (coefficients change then)."""
    year, mon = int(month[:4]), int(month[5:])
    return year - birth.year - (1 if mon < birth.month else 0)


def day_in(rng: random.Random, month: str, first: int = 1, last: int = 28) -> date:
    return date(int(month[:4]), int(month[5:]), rng.randint(first, last))


def at(day: date, rng: random.Random) -> datetime:
    """An office-hours instant (UTC) on a day."""
    return datetime(day.year, day.month, day.day, rng.randint(1, 9), rng.randint(0, 59), tzinfo=UTC)


@dataclass(slots=True)
class Person:
    """Static facts about one beneficiary plus the decisions known from the start."""

    index: int
    person_id: str
    full_name: str
    sex: Sex
    birth: date
    citizen_id: str | None
    household_id: str
    home: Commune
    groups: tuple[G, ...]
    disability: DisabilityLevel | None
    landmine: bool
    children: int | None
    #: Facts decided by the person's situation alone (registration, grant, age changes).
    facts: list[Fact] = field(default_factory=list)

    @property
    def paid(self) -> bool:
        return any(isinstance(f, Decision) for f in self.facts)

    def best(self, month: str) -> tuple[G, Decimal]:
        """The group with the highest coefficient in a month, and that coefficient."""
        age = age_in(month, self.birth)
        options = [(coefficient(g, age, self.disability, self.children), g) for g in self.groups]
        coef, group = max(options, key=lambda o: o[0])
        return group, coef


def _pick(rng: random.Random) -> tuple[G | None, int, int]:
    u, acc = rng.random(), 0.0
    for group, share, young, old in MIX:
        acc += share
        if u < acc:
            return group, young, old
    return MIX[0][0], MIX[0][2], MIX[0][3]


def make_person(seed: int, index: int, home: Commune, first: str, last: str) -> Person:
    """Person ``index`` of a population whose history window is ``first``..``last``."""
    rng = random.Random(f"{seed}/{index}")
    sex = Sex.FEMALE if rng.random() < 0.58 else Sex.MALE
    name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE[sex])} {rng.choice(GIVEN[sex])}"
    group, young, old = _pick(rng)
    months = (int(last[:4]) - int(first[:4])) * 12 + int(last[5:]) - int(first[5:]) + 1
    joins_in_window = rng.random() < 1 - 0.94 ** (months / 12)
    entry = add_months(first, rng.randrange(months) if joins_in_window else -rng.randint(1, 96))
    age = young if joins_in_window and rng.random() < 0.5 else rng.randint(young, old)
    birth_month = int(entry[5:]) if age == young else rng.randint(1, 12)
    year = int(entry[:4]) - age - (1 if birth_month > int(entry[5:]) else 0)
    birth = date(year, birth_month, rng.randint(1, 28))
    disability = None
    groups: tuple[G, ...] = (group,) if group else ()
    if group in (G.DISABILITY_SEVERE, G.LANDMINE_VICTIM):
        disability = DisabilityLevel.SEVERE if rng.random() < 0.7 else None
        disability = disability or DisabilityLevel.PARTICULARLY_SEVERE
    elif group is G.DISABILITY_PARTICULARLY_SEVERE:
        disability = DisabilityLevel.PARTICULARLY_SEVERE
    elif group is None:
        disability = DisabilityLevel.MILD
    elif group in (G.ELDERLY_80_NO_PENSION, G.ELDERLY_POOR_NO_SUPPORTER) and rng.random() < 0.1:
        disability = DisabilityLevel.SEVERE
        groups += (G.DISABILITY_SEVERE,)
    if group is G.LANDMINE_VICTIM:
        groups += (
            G.DISABILITY_SEVERE
            if disability is DisabilityLevel.SEVERE
            else G.DISABILITY_PARTICULARLY_SEVERE,
        )
    sex_digit = (0 if sex is Sex.MALE else 1) + (2 if birth.year >= 2000 else 0)
    citizen = f"0{home.province_code}{sex_digit}{birth.year % 100:02d}{rng.randrange(10**6):06d}"
    person = Person(
        index=index,
        person_id=f"P{index + 1:09d}",
        full_name=name,
        sex=sex,
        birth=birth,
        citizen_id=None if age >= 80 and rng.random() < 0.1 else citizen,
        household_id=f"H{index // 2 + 1:09d}",
        home=home,
        groups=groups,
        disability=disability,
        landmine=group is G.LANDMINE_VICTIM,
        children=rng.randint(1, 3) if group is G.SINGLE_PARENT_POOR else None,
    )
    _decide(person, rng, entry, last)
    return person


def _decide(person: Person, rng: random.Random, entry: str, last: str) -> None:
    """Registration, the first decision (sometimes signed late) and age-based changes."""
    late = rng.random() < 0.08
    decided = day_in(rng, add_months(entry, rng.randint(1, 4)) if late else entry, 1, 15)
    registered = date.fromordinal(decided.toordinal() - rng.randint(5, 30))
    person.facts.append(Registration(at(registered, rng)))
    if not person.groups:
        return
    group, coef = person.best(entry)
    number = f"{rng.randint(100, 9999)}/QĐ-UBND"
    person.facts.append(Decision(at(decided, rng), entry, coef, group, number, decided, True))
    birth = person.birth
    studying = rng.random() < 0.3
    for age in THRESHOLDS:
        month = f"{birth.year + age:04d}-{birth.month:02d}"
        if not entry < month <= last:
            continue
        if G.CHILD_NO_CAREGIVER in person.groups and age == (22 if studying else 16):
            stop_day = day_in(rng, month)
            reason = TerminationReason.NO_LONGER_ELIGIBLE
            person.facts.append(Stop(at(stop_day, rng), add_months(month, 1), reason, number))
            return
        new_group, new_coef = person.best(month)
        if new_coef != coef:
            signed = day_in(rng, add_months(month, 1 if rng.random() < 0.15 else 0))
            number = f"{rng.randint(100, 9999)}/QĐ-UBND"
            person.facts.append(
                Decision(at(signed, rng), month, new_coef, new_group, number, signed, False)
            )
            coef = new_coef
