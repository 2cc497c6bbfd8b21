"""Events of intake and MASH triage (guidance section 5, referral form Appendix A)."""

from __future__ import annotations

from typing import Any

from pydantic import AwareDatetime

from events.base import DomainEvent
from events.forms import ReferralConcern, ReferrerDetails, RelatedPerson, SubjectDetails
from events.personal import ReferrerData, SubjectData, ThirdPartyData
from events.vocabulary import AgeGroup, ReceivedVia, ScreeningOutReason


class ReferralReceived(DomainEvent):
    """A completed referral form reached the MASH and was recorded ("maintain proper record").

    Out of hours a referral arrives through 101 to the on-call Detective Inspector.
    """

    TOPIC = "vtr.referral.ReferralReceived"
    EFFECTIVE = "received_at"

    received_at: AwareDatetime
    received_via: ReceivedVia
    on_call_detective_inspector: str | None
    referring_agency: str
    subject_age_group: AgeGroup
    subject: SubjectData[SubjectDetails]
    partner_and_parents: ThirdPartyData[tuple[RelatedPerson, ...]]
    children_and_siblings: ThirdPartyData[tuple[RelatedPerson, ...]]
    concern: SubjectData[ReferralConcern]
    referrer: ReferrerData[ReferrerDetails]


class SecurityChecksRecorded(DomainEvent):
    """MASH triage completed the relevant security checks: the fact, never their content."""

    TOPIC = "vtr.referral.SecurityChecksRecorded"


class FurtherInformationRequested(DomainEvent):
    """Triage needs more information and passed the referral to the MASH Operational Desk."""

    TOPIC = "vtr.referral.FurtherInformationRequested"

    request_no: int
    information_needed: SubjectData[str]


class FurtherInformationReturned(DomainEvent):
    """The Operational Desk returned the information triage asked for."""

    TOPIC = "vtr.referral.FurtherInformationReturned"

    request_no: int
    information_summary: SubjectData[str]


class ReferralScreenedOut(DomainEvent):
    """Triage decided the referral does not continue; it stays on record.

    Version 2 records one or more reasons; version 1 recorded a single `reason`.
    """

    TOPIC = "vtr.referral.ReferralScreenedOut"
    class_version = 2

    reasons: tuple[ScreeningOutReason, ...]
    other_reason: SubjectData[str | None]

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["reasons"] = [state.pop("reason")]


class ReferralScreenedIn(DomainEvent):
    """Triage decided the referral continues to a strategy discussion."""

    TOPIC = "vtr.referral.ReferralScreenedIn"

    rationale: SubjectData[str | None]
