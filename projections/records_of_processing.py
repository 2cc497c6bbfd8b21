"""A records-of-processing summary, generated from what was actually shared in a period.

It has the shape of a UK GDPR Article 30 / DPA 2018 s.61 record for the sharing part of
the VTR process: the purpose, the categories of personal data, the recipients, and the
legal bases relied on, each with how often it was used.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime

from pydantic import BaseModel

from aggregates.sharing_catalogues import CATEGORIES
from events.forms import LegalBasisRef
from events.vocabulary import AgencyType
from projections.register_rows import RegisterRow

PURPOSE = (
    "Safeguarding people at risk of being drawn into violent extremism through the multi-agency "
    "VTR process (assessment, support, review), and the actions allocated to receiving agencies."
)


class CategoryUse(BaseModel):
    category: str
    label: str
    special_category: bool
    disclosures: int


class RecipientUse(BaseModel):
    agency_type: AgencyType
    agencies: list[str]
    disclosures: int


class BasisUse(BaseModel):
    basis: LegalBasisRef
    disclosures: int


class RecordsOfProcessing(BaseModel):
    period_from: date
    period_to: date
    generated_at: datetime
    purpose: str
    disclosures: int
    cases: int
    disclosures_relying_on_consent: int
    special_category_disclosures: int
    categories_of_personal_data: list[CategoryUse]
    recipients: list[RecipientUse]
    legal_bases: list[BasisUse]


def summarise(
    rows: Iterable[RegisterRow], period_from: date, period_to: date, generated_at: datetime
) -> RecordsOfProcessing:
    disclosures: dict[tuple[object, int], RegisterRow] = {}
    recipients: dict[AgencyType, set[str]] = {}
    recipient_counts: Counter[AgencyType] = Counter()
    for row in rows:
        disclosures.setdefault((row.referral_id, row.disclosure_no), row)
        agency = row.recipient_agency
        recipients.setdefault(agency.agency_type, set()).add(agency.name)
        recipient_counts[agency.agency_type] += 1
    once = list(disclosures.values())
    categories = Counter(row.information_category for row in once)
    bases = Counter(basis for row in once for basis in row.legal_bases)
    return RecordsOfProcessing(
        period_from=period_from,
        period_to=period_to,
        generated_at=generated_at,
        purpose=PURPOSE,
        disclosures=len(once),
        cases=len({row.referral_id for row in once}),
        disclosures_relying_on_consent=sum(row.relies_on_consent for row in once),
        special_category_disclosures=sum(row.special_category for row in once),
        categories_of_personal_data=[
            CategoryUse(
                category=code,
                label=CATEGORIES[code].label if code in CATEGORIES else code,
                special_category=CATEGORIES[code].special_category if code in CATEGORIES else False,
                disclosures=count,
            )
            for code, count in sorted(categories.items())
        ],
        recipients=[
            RecipientUse(agency_type=kind, agencies=sorted(recipients[kind]), disclosures=count)
            for kind, count in sorted(recipient_counts.items())
        ],
        legal_bases=[
            BasisUse(basis=basis, disclosures=count)
            for basis, count in sorted(bases.items(), key=lambda item: item[0].entry_id)
        ],
    )
