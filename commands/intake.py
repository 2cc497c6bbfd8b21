"""Commands of intake and MASH triage."""

from __future__ import annotations

from pydantic import AwareDatetime, Field

from commands.base import AgencyName, ChangeReferral, Command, StaffRef
from events.forms import (
    Choices,
    Narrative,
    ReferralConcern,
    ReferrerDetails,
    RelatedPerson,
    SubjectDetails,
)
from events.vocabulary import AgeGroup, ReceivedVia, ScreeningOutReason


class ReceiveReferral(Command):
    """Record a completed referral form (Appendix A) as received by the MASH."""

    received_at: AwareDatetime
    received_via: ReceivedVia
    on_call_detective_inspector: StaffRef | None = None
    referring_agency: AgencyName
    subject_age_group: AgeGroup
    subject: SubjectDetails
    partner_and_parents: list[RelatedPerson] = Field(default_factory=list, max_length=20)
    children_and_siblings: list[RelatedPerson] = Field(default_factory=list, max_length=30)
    concern: ReferralConcern
    referrer: ReferrerDetails


class RecordSecurityChecks(ChangeReferral):
    """Record that the relevant security checks were completed (not what they found)."""


class RequestFurtherInformation(ChangeReferral):
    """Pass the referral to the MASH Operational Desk for further information."""

    information_needed: Narrative


class ReturnFurtherInformation(ChangeReferral):
    """The MASH Operational Desk returns the further information triage asked for."""

    information_summary: Narrative


class ScreenOutReferral(ChangeReferral):
    """Decide that the referral does not continue; 'other' needs the reason in words."""

    reasons: Choices[ScreeningOutReason] = Field(min_length=1, max_length=len(ScreeningOutReason))
    other_reason: Narrative | None = None


class ScreenInReferral(ChangeReferral):
    """Triage screens the referral in: it goes on to a strategy discussion (section 5)."""

    rationale: Narrative | None = None
