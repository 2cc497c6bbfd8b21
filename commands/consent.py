"""Commands of information sharing: consent, the meeting's conditions, disclosures."""

from __future__ import annotations

from uuid import UUID

from aggregates.consent import (
    ConsentApproach,
    ConsentRequest,
    GivenConsent,
    RefusedConsent,
    WithdrawnConsent,
)
from commands.base import ChangeReferral
from commands.context import Issued, Outcome
from commands.cycle import CommandCycle


class DecideConsentApproach(ConsentApproach, ChangeReferral):
    """Decide at this stage whether consent is to be sought, and by which agency (App. B)."""


class SeekConsent(ConsentRequest, ChangeReferral):
    """Consent is sought from the person, by the agency the discussion agreed (Appendix B)."""


class RecordConsentGiven(GivenConsent, ChangeReferral):
    """Consent given, with the three Appendix B conditions of its validity attested."""


class RecordConsentRefused(RefusedConsent, ChangeReferral):
    """The person refused consent to sharing (Appendix B)."""


class RecordConsentWithdrawn(WithdrawnConsent, ChangeReferral):
    """The person withdrew the consent they gave: sharing may no longer rely on it."""


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
        lambda referral, audit: referral.decide_consent_approach(audit, command, seeker),
    )


def seek_consent(
    cycle: CommandCycle, referral_id: UUID, command: SeekConsent, issued: Issued
) -> Outcome:
    seeker = cycle.agency_ref(command.seeker_agency_id, "seeker_agency_id")
    return cycle.change_referral(
        referral_id,
        command,
        issued,
        lambda referral, audit: referral.seek_consent(audit, command, seeker),
    )
