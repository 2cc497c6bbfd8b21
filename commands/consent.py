"""Commands of information sharing: consent, the meeting's conditions, disclosures."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import (
    Field,
    StrictBool,
)

from commands.base import ChangeReferral
from events.forms import (
    Choices,
    Narrative,
)
from events.vocabulary import (
    ConsentGiver,
    ConsentNotSoughtReason,
    ConsentStage,
)


class DecideConsentApproach(ChangeReferral):
    """Decide at this stage whether consent is to be sought, and by which agency (App. B)."""

    stage: ConsentStage
    seek: StrictBool
    seeker_agency_id: UUID | None = None
    reasons_not_sought: Choices[ConsentNotSoughtReason] = Field(
        default_factory=list, max_length=len(ConsentNotSoughtReason)
    )
    notes: Narrative | None = None


class SeekConsent(ChangeReferral):
    """Consent is sought from the person, by the agency the discussion agreed (Appendix B)."""

    seeker_agency_id: UUID
    sought_on: date


class RecordConsentGiven(ChangeReferral):
    """Consent given, with the three Appendix B conditions of its validity attested."""

    given_by: ConsentGiver
    freely_given: StrictBool
    informed_of_who_and_why: StrictBool
    told_can_withdraw: StrictBool
    given_on: date
    notes: Narrative | None = None


class RecordConsentRefused(ChangeReferral):
    """The person refused consent to sharing (Appendix B)."""

    refused_on: date
    notes: Narrative | None = None


class RecordConsentWithdrawn(ChangeReferral):
    """The person withdrew the consent they gave: sharing may no longer rely on it."""

    withdrawn_on: date
    notes: Narrative | None = None
