"""Deaths, BHYT cards, payroll lines and post-office outcomes of the synthetic population."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from bench._synth_facts import BHXH, POST_OFFICE, REGISTER, Fact, build
from bench._synth_geography import PROVINCE_NAMES, Commune
from bench._synth_policy import bhyt_premium
from schemas import Event
from schemas.eligibility import BeneficiaryDied, EligibilityTerminated, TerminationReason
from schemas.health_insurance import HealthInsuranceCardIssued, HealthInsuranceCardRevoked
from schemas.months import add_months, month_of
from schemas.payments import (
    CollectedBy,
    NotCollectedReason,
    PaymentDisbursed,
    PaymentNotCollected,
)

if TYPE_CHECKING:
    from bench._synth_people import Person


def card_number(person: Person) -> str:
    """BT (social protection), benefit level 2, province, then 10 digits: one per person."""
    return f"BT2{person.home.province_code}{person.index:010d}"


@dataclass(frozen=True, slots=True)
class Card(Fact):
    """A state-paid BHYT card from ``valid_from`` to ``valid_to``."""

    valid_from: date
    valid_to: date

    def events(self, seed: int, person: Person) -> list[Event]:
        months = (self.valid_to.year - self.valid_from.year) * 12 + (
            self.valid_to.month - self.valid_from.month + 1
        )
        province = person.home.province_code
        return [
            build(
                seed,
                HealthInsuranceCardIssued,
                (person.person_id, self.valid_from),
                self.known_at,
                BHXH,
                person_id=person.person_id,
                card_number=card_number(person),
                valid_from=self.valid_from,
                valid_to=self.valid_to,
                premium_vnd=bhyt_premium(self.valid_from, months),
                issuer=f"BHXH {PROVINCE_NAMES[province]}",
                province_code=province,
            )
        ]


@dataclass(frozen=True, slots=True)
class Death(Fact):
    """The person died on ``day``; known (reported) at ``known_at``, maybe months later."""

    day: date
    certificate: str
    card_until: date | None

    def events(self, seed: int, person: Person) -> list[Event]:
        pid = person.person_id
        stop = add_months(month_of(self.day), 1)
        events: list[Event] = [
            build(
                seed,
                BeneficiaryDied,
                (pid,),
                self.known_at,
                REGISTER,
                person_id=pid,
                date_of_death=self.day,
                death_certificate=self.certificate,
            ),
            build(
                seed,
                EligibilityTerminated,
                (pid, stop),
                self.known_at,
                REGISTER,
                person_id=pid,
                reason=TerminationReason.DIED,
                effective_month=stop,
            ),
        ]
        if self.card_until is not None and self.card_until > self.day:
            events.append(
                build(
                    seed,
                    HealthInsuranceCardRevoked,
                    (pid, self.day),
                    self.known_at,
                    BHXH,
                    person_id=pid,
                    card_number=card_number(person),
                    revoked_from=self.day + timedelta(days=1),
                    reason="died",
                )
            )
        return events


@dataclass(frozen=True, slots=True)
class LineRef:
    """Where a person's amount sits on a payment list."""

    month: str
    list_id: str
    line_no: int
    amount: int
    commune: Commune
    funeral: bool


@dataclass(frozen=True, slots=True)
class Outcome:
    """The post office's answer for one line: paid (``paid_at``) or not (``reason``)."""

    line: LineRef
    paid_at: datetime | None
    reason: NotCollectedReason | None
    proxy: str | None


def report_time(month: str) -> datetime:
    """The post office reports a month's payments by the 20th of the next one (18th here)."""
    nxt = add_months(month, 1)
    return datetime(int(nxt[:4]), int(nxt[5:]), 18, 3, tzinfo=UTC)


def receipt_no(line: LineRef, repeat: int = 0) -> str:
    suffix = f"-{repeat}" if repeat else ""
    return f"BL{line.month.replace('-', '')}{line.commune.commune_code}{line.line_no:05d}{suffix}"


def outcome_event(seed: int, person: Person, outcome: Outcome) -> Event:
    """PaymentDisbursed or PaymentNotCollected for one line of a list."""
    line = outcome.line
    common: dict[str, Any] = {
        "list_id": line.list_id,
        "line_no": line.line_no,
        "person_id": person.person_id,
        "post_office_code": line.commune.post_office_code,
        "report_id": f"BC-{line.month}-{line.commune.post_office_code}",
    }
    reported = report_time(line.month)
    key = (line.list_id, line.line_no)
    if outcome.paid_at is None:
        return build(
            seed,
            PaymentNotCollected,
            key,
            reported,
            POST_OFFICE,
            amount_vnd=line.amount,
            reason=outcome.reason or NotCollectedReason.OTHER,
            reported_at=reported,
            **common,
        )
    return build(
        seed,
        PaymentDisbursed,
        key,
        outcome.paid_at,
        POST_OFFICE,
        recorded_at=reported,
        amount_paid_vnd=line.amount,
        paid_at=outcome.paid_at,
        receipt_no=receipt_no(line),
        collected_by=CollectedBy.PROXY if outcome.proxy else CollectedBy.SELF,
        proxy_name=outcome.proxy,
        **common,
    )
