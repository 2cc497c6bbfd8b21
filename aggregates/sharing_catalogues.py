"""The other reference data of information sharing: categories, statements, agency types.

Versioned like the legal-basis catalogue: events record the version they relied on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from events.vocabulary import AgencyType

CATEGORY_CATALOGUE_VERSION = "2026.1"


@dataclass(frozen=True, slots=True)
class InformationCategory:
    code: str
    label: str
    special_category: bool  # sensitive personal data (DPA 1998 s.2) / UK GDPR Arts. 9-10


_ORDINARY = {
    "identity_and_contact": "Identity and contact details",
    "family_and_relationships": "Family and relationships",
    "education": "Education and attendance",
    "housing": "Housing and accommodation",
    "employment": "Employment and finances",
    "social_care_history": "Social care history",
    "risk_assessment": "Risk assessment",
    "online_activity": "Online activity",
}
# The minutes of a multi-agency meeting, circulated to those who attended (section 6); they
# discuss beliefs, health and offences, so they are treated as special category data.
_MINUTES = {"meeting_minutes": "Minutes of a multi-agency meeting"}
_SPECIAL = {
    "health": "Physical health",
    "mental_health": "Mental health",
    "criminal_history": "Offences and proceedings",
    "police_intelligence": "Police information and intelligence",
    "beliefs": "Religious or political beliefs",
}
CATEGORIES = MappingProxyType(
    {
        **{
            code: InformationCategory(code, label, special_category=False)
            for code, label in _ORDINARY.items()
        },
        **{
            code: InformationCategory(code, label, special_category=True)
            for code, label in (_SPECIAL | _MINUTES).items()
        },
    }
)


@dataclass(frozen=True, slots=True)
class ConfidentialityStatement:
    version: str
    valid_from: date
    valid_to: date | None
    text: str

    def in_force_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


_STATEMENT = (
    "Attendees are reminded that all information shared in this meeting is confidential and is "
    "shared and recorded only for the purpose of the meeting. You are reminded of your "
    "obligations under the Norfolk Safeguarding Boards Guidance and under {law}. Information "
    "shared and recorded as part of this meeting will not be disclosed outside of the meeting "
    "other than for official purposes that have been sanctioned by the members of the meeting. "
    "Similarly, other than via official minutes, no attendees will make a record of another "
    "agency's information for any purposes other than those sanctioned by the members of the "
    "meeting. Information shared should not be discussed with the subject unless the owner of "
    "the information has given approval."
)
STATEMENTS = MappingProxyType(
    {
        statement.version: statement
        for statement in (
            ConfidentialityStatement(
                "appendix-c/1998",
                date(2000, 3, 1),
                date(2018, 5, 24),
                _STATEMENT.format(law="the Data Protection Act 1998"),
            ),
            ConfidentialityStatement(
                "appendix-c/2018",
                date(2018, 5, 25),
                None,
                _STATEMENT.format(law="the UK GDPR and the Data Protection Act 2018"),
            ),
        )
    }
)

# Section 5: "Subject to the group having signed the ... Information Sharing Protocol."
ISP_REQUIRED = frozenset(
    {
        AgencyType.DRUG_AND_ALCOHOL_SERVICES,
        AgencyType.NON_GOVERNMENTAL_ORGANISATION,
        AgencyType.COMMUNITY_OR_VOLUNTARY_ORGANISATION,
    }
)
