"""Structured values inside events: the sections of the referral form and other records.

They are shared by events and by the commands that carry them in, so their constraints are
deliberately generous: a stored event is validated again every time it is read.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from events.vocabulary import (
    AgencyType,
    BasisKind,
    IndicatorCategory,
    MedicalExplanation,
    PublicInterestGround,
    Relationship,
    RiskCircumstance,
    RiskTarget,
)

Line = Annotated[str, StringConstraints(min_length=1, max_length=500)]
Narrative = Annotated[str, StringConstraints(min_length=1, max_length=20_000)]


class ValueObject(BaseModel):
    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        hide_input_in_errors=True,
        str_strip_whitespace=True,
        str_max_length=20_000,
    )


class Address(ValueObject):
    """A postal address: its lines in order, and the postcode where known."""

    lines: list[Line] = Field(min_length=1, max_length=8)
    postcode: str | None = Field(default=None, max_length=16)


class SubjectDetails(ValueObject):
    """Referral form: full name, other known names, date and place of birth, full address."""

    full_name: Line
    other_names: list[Line] = Field(default_factory=list, max_length=20)
    date_of_birth: date | None = None
    place_of_birth: Line | None = None
    address: Address


class RelatedPerson(ValueObject):
    """A spouse, partner, parent, child or sibling named on the form (a third party)."""

    relationship: Relationship
    full_name: Line
    date_of_birth: date | None = None
    address: Line | None = None
    details: Narrative | None = None


class ChronologyEntry(ValueObject):
    """One entry of the background chronology; `when` is free text because dates are often rough."""

    when: Annotated[str, StringConstraints(min_length=1, max_length=60)]
    what: Narrative


class ReferralConcern(ValueObject):
    """Referral form: reasons for referral, background and risk issues, section 4 indicators."""

    reasons_for_referral: Narrative
    background_and_risk: Narrative
    chronology: list[ChronologyEntry] = Field(default_factory=list, max_length=200)
    indicators_observed: list[IndicatorCategory] = Field(default_factory=list)


class ReferrerContact(ValueObject):
    """How to reach the referrer (referral form: Tel no, Mobile, Email)."""

    telephone: Line | None = None
    mobile: Line | None = None
    email: Line | None = None


class ReferrerDetails(ValueObject):
    """Referral form: the referrer's full name and position, contact details and address."""

    full_name: Line
    position: Line
    contact: ReferrerContact
    address: Address | None = None


class RiskAssessment(ValueObject):
    """Section 5: what the risk assessment of the strategy discussion should include."""

    nature_and_pattern_of_behaviour: Narrative
    nature_of_risk: Narrative
    who_is_at_risk: list[RiskTarget] = Field(min_length=1)
    who_is_at_risk_details: Narrative | None = None
    circumstances_increasing_risk: list[RiskCircumstance] = Field(default_factory=list)
    circumstances_details: Narrative | None = None
    factors_reducing_risk: Narrative
    medical_evidence: Narrative | None = None
    medical_explanation: MedicalExplanation
    medical_explanation_reasoning: Narrative | None = None


class PlannedAction(ValueObject):
    """One action of a support package: which partner leads it, and by when."""

    action_no: int = Field(ge=1)
    lead_agency: Line
    due_on: date | None = None


class ActionDescription(ValueObject):
    """What an action involves; narrative about the subject, so it is stored sealed."""

    action_no: int = Field(ge=1)
    description: Narrative


class SupportAction(ValueObject):
    """An action as agreed at a meeting; the process numbers it and keeps its text sealed."""

    description: Narrative
    lead_agency: Line
    due_on: date | None = None


class AgencyRef(ValueObject):
    """An agency as it stood when an event named it: its name and type are kept with it."""

    agency_id: UUID
    name: str
    agency_type: AgencyType


class LegalBasisRef(ValueObject):
    """A legal-basis catalogue entry as relied on; replay never looks it up again."""

    entry_id: str
    catalogue: str
    catalogue_version: str
    kind: BasisKind
    regime: str
    citation: str


class SharingPrinciples(ValueObject):
    """Section 3: the principles the disclosing agency answered for this disclosure."""

    power_to_share: bool
    necessary: bool
    relevant: bool
    proportionate: bool
    non_discriminatory: bool


class SharingJustification(ValueObject):
    """The reasoning behind each answered principle; narrative, so stored sealed."""

    power_to_share: Narrative
    necessity: Narrative
    relevance: Narrative
    proportionality: Narrative
    non_discrimination: Narrative


class NeedToKnow(ValueObject):
    """Why one recipient needs to know (section 3)."""

    agency_id: UUID
    needs_to_know: bool
    rationale: Narrative


class PublicInterestBalance(ValueObject):
    """Appendix B: the public-interest balance, where consent is not the basis."""

    grounds: list[PublicInterestGround] = Field(min_length=1)
    consent_considered: bool
    overrides_confidentiality_and_privacy: bool
