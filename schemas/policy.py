"""Policy family (topic ``aid.policy``): standard levels and the statutory base salary."""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Literal

from pydantic import Field

from schemas.envelope import Event
from schemas.types import VND, Month, ProvinceCode


class _PolicyEvent(Event):
    family: ClassVar[str] = "policy"
    subject_field: ClassVar[str] = "policy_id"
    legal_basis: str = Field(min_length=1, max_length=300)


class StandardLevelSet(_PolicyEvent):
    """The standard social-assistance level ("mức chuẩn") from a month, national or provincial."""

    event_type: Literal["StandardLevelSet"] = "StandardLevelSet"
    schema_version: Literal[1] = 1
    #: None means the national level; a province may set a higher one of its own.
    province_code: ProvinceCode | None = None
    amount_vnd: VND = Field(gt=0)
    effective_month: Month

    @property
    def policy_id(self) -> str:
        return f"standard-level:{self.province_code or 'national'}"


class BaseSalarySet(_PolicyEvent):
    """The statutory base salary ("lương cơ sở") from a date; BHYT premiums derive from it."""

    event_type: Literal["BaseSalarySet"] = "BaseSalarySet"
    schema_version: Literal[1] = 1
    amount_vnd: VND = Field(gt=0)
    effective_date: date

    @property
    def policy_id(self) -> str:
        return "base-salary"


POLICY_EVENTS = (StandardLevelSet, BaseSalarySet)
