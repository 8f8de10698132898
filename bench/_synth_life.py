"""One synthetic person's life month by month: chance events and the post office's answers.

The district generator drives every ``Life`` in lockstep: ``draw`` a calendar month's events,
``known`` the facts learnt by a time, ``outcome`` of the last paid line, ``payroll`` of a month.
"""

from __future__ import annotations

from datetime import date, timedelta

from bench._synth_events import Death, LineRef, Outcome
from bench._synth_facts import Move, Pause, Resume, Stop
from bench._synth_geography import District
from bench._synth_people import FAMILY, GIVEN, Person, age_in, at, day_in
from bench._synth_record import Record
from schemas.eligibility import BeneficiaryGroup as G
from schemas.eligibility import SuspensionReason, TerminationReason
from schemas.months import add_months
from schemas.payments import NotCollectedReason

_FAMILY_STOPS = (TerminationReason.REFUSED, TerminationReason.IMPRISONED, TerminationReason.MISSING)
_POOR = frozenset({G.HIV_POOR_HOUSEHOLD, G.SINGLE_PARENT_POOR})


def _death_hazard(age: int) -> float:
    return 0.015 if age >= 90 else 0.007 if age >= 80 else 0.003 if age >= 60 else 0.0008


class Life(Record):
    """A person's record plus the chances that drive it: deaths, moves, absences."""

    def __init__(self, person: Person, seed: int, district: District, first: str) -> None:
        super().__init__(person, seed, first)
        self.district = district
        self.line: LineRef | None = None
        self.absent_lines = 0
        proxy_prone = age_in(first, person.birth) >= 85 or person.disability is not None
        self.proxy_rate = 0.6 if proxy_prone else 0.05

    def draw(self, month: str) -> None:
        """Random events of one calendar month: death, move, exit, detention, BHYT renewal."""
        if not self.active():
            return
        rng, person = self.rng, self.person
        age = age_in(month, person.birth)
        if rng.random() < _death_hazard(age):
            self._die(day_in(rng, month))
            return
        if month[5:] == "12":
            self._renew_card(int(month[:4]) + 1)
        communes = self.district.communes
        if len(communes) > 1 and rng.random() < 0.001:
            new = rng.choice([c for c in communes if c.commune_code != self.commune.commune_code])
            self._add(
                Move(at(day_in(rng, month, 5, 15), rng), add_months(month, 1), self.commune, new)
            )
        exit_rate = 0.003 if _POOR.intersection(person.groups) else 0
        if rng.random() < exit_rate:
            self._add(
                Stop(
                    at(day_in(rng, month, 1, 15), rng),
                    add_months(month, 1),
                    TerminationReason.NO_LONGER_ELIGIBLE,
                    f"{rng.randint(1, 999)}/QĐ",
                )
            )
        elif rng.random() < 0.0002:
            self._add(
                Stop(
                    at(day_in(rng, month, 1, 15), rng),
                    add_months(month, 1),
                    rng.choice(_FAMILY_STOPS),
                    None,
                )
            )
        elif 18 <= age < 60 and rng.random() < 0.0002 and not self._paused():
            self._add(
                Pause(
                    at(day_in(rng, month, 5, 15), rng),
                    add_months(month, 1),
                    SuspensionReason.DETAINED,
                )
            )
            back = add_months(month, rng.randint(3, 9))
            self._add(Resume(at(day_in(rng, back, 1, 15), rng), back, False))

    def _die(self, day: date) -> None:
        rng = self.rng
        delay = rng.choices((0, 1, 2), (70, 20, 10))[0]
        told = day + timedelta(days=rng.randint(2, 12) + 30 * delay)
        self.death = Death(at(told, rng), day, f"{rng.randint(1, 999)}/TT", self.card_until)
        # Nothing that follows a death is decided any more.
        self.pending = [f for f in self.pending if f.known_at.date() <= day]
        self._add(self.death)

    def outcome(self) -> Outcome | None:
        """How the post office reports the line of the last payroll (None if there was none)."""
        line, self.line = self.line, None
        if line is None:
            return None
        rng = self.rng
        paid_day = day_in(rng, line.month, 2, 25)
        if line.funeral:  # funeral support goes to the family
            return Outcome(line, at(paid_day, rng), None, self._proxy(force=True))
        if self.death is not None and self.death.day < paid_day:
            if rng.random() < 0.85:
                return Outcome(line, None, NotCollectedReason.DIED, None)
            return Outcome(line, at(paid_day, rng), None, self._proxy(force=True))
        if self.absent_lines == 0 and self.stop_from is None and rng.random() < 0.0015:
            self._start_absence(line.month)
        if self.absent_lines > 0:
            self.absent_lines -= 1
            return Outcome(line, None, NotCollectedReason.ABSENT, None)
        if rng.random() < 0.025:
            reason = rng.choices(list(NotCollectedReason), (80, 0, 10, 5, 5))[0]
            return Outcome(line, None, reason, None)
        return Outcome(line, at(paid_day, rng), None, self._proxy())

    def _start_absence(self, month: str) -> None:
        """Nothing collected for 4 lists: suspended after the third report, maybe resumed."""
        rng = self.rng
        self.absent_lines = 4
        decided = add_months(month, 3)
        self._add(
            Pause(
                at(day_in(rng, decided, 19, 19), rng),
                add_months(month, 4),
                SuspensionReason.NOT_COLLECTED_3_MONTHS,
            )
        )
        if rng.random() < 0.75:
            back = add_months(month, 3 + rng.randint(1, 6))
            self._add(Resume(at(day_in(rng, back, 3, 15), rng), back, True))

    def _proxy(self, force: bool = False) -> str | None:
        if not force and self.rng.random() >= self.proxy_rate:
            return None
        sex = self.person.sex
        return f"{self.rng.choice(FAMILY)} {self.rng.choice(GIVEN[sex])}"
