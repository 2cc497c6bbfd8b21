"""Commands of information sharing: consent, the meeting's conditions, disclosures."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import (
    Field,
    StrictBool,
)

from commands.base import ChangeReferral
from commands.context import Issued, Outcome
from commands.cycle import CommandCycle
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


# Handlers


def decide_consent_approach(
    cycle: CommandCycle, referral_id: UUID, command: DecideConsentApproach, issued: Issued
) -> Outcome:
    seeker = (
        cycle.agency_ref(command.seeker_agency_id, "seeker_agency_id")
        if command.seeker_agency_id
        else None
    )
    return cycle.change_referral(
        referral_id,
        command,
        issued,
        lambda referral, audit: referral.decide_consent_approach(
            audit, command.stage, command.seek, seeker, command.reasons_not_sought, command.notes
        ),
    )


def seek_consent(
    cycle: CommandCycle, referral_id: UUID, command: SeekConsent, issued: Issued
) -> Outcome:
    seeker = cycle.agency_ref(command.seeker_agency_id, "seeker_agency_id")
    return cycle.change_referral(
        referral_id,
        command,
        issued,
        lambda referral, audit: referral.seek_consent(audit, seeker, command.sought_on),
    )


def record_consent_given(
    cycle: CommandCycle, referral_id: UUID, command: RecordConsentGiven, issued: Issued
) -> Outcome:
    attested = (command.freely_given, command.informed_of_who_and_why, command.told_can_withdraw)
    return cycle.change_referral(
        referral_id,
        command,
        issued,
        lambda referral, audit: referral.record_consent_given(
            audit, command.given_by, attested, command.given_on, command.notes
        ),
    )


def record_consent_refused(
    cycle: CommandCycle, referral_id: UUID, command: RecordConsentRefused, issued: Issued
) -> Outcome:
    return cycle.change_referral(
        referral_id,
        command,
        issued,
        lambda referral, audit: referral.record_consent_refused(
            audit, command.refused_on, command.notes
        ),
    )


def record_consent_withdrawn(
    cycle: CommandCycle, referral_id: UUID, command: RecordConsentWithdrawn, issued: Issued
) -> Outcome:
    return cycle.change_referral(
        referral_id,
        command,
        issued,
        lambda referral, audit: referral.record_consent_withdrawn(
            audit, command.withdrawn_on, command.notes
        ),
    )
