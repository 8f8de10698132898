"""The chart of accounts: how account codes are named, and who owns each account.

An account is identified by ``(code, asset)``. Codes are ``owner_type:owner_id:kind[:detail]``;
a ``:`` inside an id is written ``%3A`` (``%`` never occurs in an id), so codes are unambiguous.
Amounts are signed, debit positive: a balance is the sum of an account's posted amounts.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

#: Money is whole đồng.
VND = "VND"
ITEM_PREFIX = "ITEM:"

# Owner types.
PERSON = "person"
HOUSEHOLD = "household"
PROGRAM = "program"
POST_OFFICE = "post_office"
AGENCY = "bhxh"
DONOR = "donor"


class Account(NamedTuple):
    """One account in one asset, with the owner it is reported under."""

    code: str
    asset: str
    owner_type: str
    owner_id: str
    kind: str
    detail: str | None = None


def item_asset(item_code: str) -> str:
    """The asset of a relief item's quantity, e.g. ``ITEM:RICE-10KG``."""
    return ITEM_PREFIX + item_code


def _part(value: str) -> str:
    return value.replace(":", "%3A")


@lru_cache(maxsize=262_144)
def account(
    owner_type: str, owner_id: str, kind: str, asset: str = VND, detail: str | None = None
) -> Account:
    """The account of an owner for a kind (and detail: component, item or campaign)."""
    if owner_type == DONOR and detail is not None:
        # Donor accounts are per campaign: donor:D:C:kind.
        code = f"{owner_type}:{_part(owner_id)}:{_part(detail)}:{kind}"
    elif detail is not None:
        code = f"{owner_type}:{_part(owner_id)}:{kind}:{_part(detail)}"
    else:
        code = f"{owner_type}:{_part(owner_id)}:{kind}"
    return Account(code, asset, owner_type, owner_id, kind, detail)


# Person: entitlements (credit), what was paid and what is to be recovered (debit), relief.
def person_accrued(person_id: str, component: str) -> Account:
    """Allowance accrued to a person for one component (regular, arrears, funeral)."""
    return account(PERSON, person_id, "accrued", VND, component)


def person_recovery(person_id: str) -> Account:
    """Overpayments accrued to be recovered from a person (component ``recovery``)."""
    return account(PERSON, person_id, "recovery")


def person_paid(person_id: str) -> Account:
    """Everything the post office paid to a person (net of reversals)."""
    return account(PERSON, person_id, "paid")


def recipient_relief(owner_type: str, owner_id: str, item_code: str, asset: str) -> Account:
    """Relief a person or household received of one item (quantity, or value in VND)."""
    return account(owner_type, owner_id, "relief", asset, item_code)


# Program (one per province): expenses and funds moved to post offices.
def program(province_code: str, kind: str) -> Account:
    """``allowance_expense``, ``funds_sent``, ``funds_returned``, ``post_office_fees``,
    ``bhyt_premium``."""
    return account(PROGRAM, province_code, kind)


def post_office(code: str, kind: str) -> Account:
    """``deposited``, ``paid_out``, ``returned``, ``fees``."""
    return account(POST_OFFICE, code, kind)


def bhxh_premiums(province_code: str) -> Account:
    """BHYT premiums owed to the province's social security agency (BHXH)."""
    return account(AGENCY, province_code, "premiums")


def donor(donor_id: str, campaign_id: str, kind: str, asset: str = VND) -> Account:
    """``pledged``, ``pledge_receivable``, ``received``, ``held``, ``goods_received``,
    ``goods_held`` of a donor in a campaign."""
    return account(DONOR, donor_id, kind, asset, campaign_id)
