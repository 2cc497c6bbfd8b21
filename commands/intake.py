"""Commands of intake and MASH triage."""

from __future__ import annotations

from uuid import UUID

from pydantic import AwareDatetime, Field

from aggregates.instructions import AgencyName, StaffRef
from aggregates.referral import Referral
from commands.base import ChangeReferral, Command
from commands.context import Issued, Outcome
from commands.cycle import CommandCycle
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


# Handlers


def receive_referral(cycle: CommandCycle, command: ReceiveReferral, issued: Issued) -> Outcome:
    return cycle.create(
        command,
        issued,
        lambda audit: Referral.receive(
            cycle.new_id(),
            audit,
            received_at=command.received_at,
            received_via=command.received_via,
            on_call_detective_inspector=command.on_call_detective_inspector,
            referring_agency=command.referring_agency,
            subject_age_group=command.subject_age_group,
            subject=command.subject,
            partner_and_parents=command.partner_and_parents,
            children_and_siblings=command.children_and_siblings,
            concern=command.concern,
            referrer=command.referrer,
        ),
    )


def record_security_checks(
    cycle: CommandCycle, referral_id: UUID, command: RecordSecurityChecks, issued: Issued
) -> Outcome:
    return cycle.change_referral(
        referral_id, command, issued, lambda referral, audit: referral.record_security_checks(audit)
    )


def request_further_information(
    cycle: CommandCycle, referral_id: UUID, command: RequestFurtherInformation, issued: Issued
) -> Outcome:
    return cycle.change_referral(
        referral_id,
        command,
        issued,
        lambda referral, audit: referral.request_further_information(
            audit, command.information_needed
        ),
    )


def return_further_information(
    cycle: CommandCycle, referral_id: UUID, command: ReturnFurtherInformation, issued: Issued
) -> Outcome:
    return cycle.change_referral(
        referral_id,
        command,
        issued,
        lambda referral, audit: referral.return_further_information(
            audit, command.information_summary
        ),
    )


def screen_out(
    cycle: CommandCycle, referral_id: UUID, command: ScreenOutReferral, issued: Issued
) -> Outcome:
    return cycle.change_referral(
        referral_id,
        command,
        issued,
        lambda referral, audit: referral.screen_out(audit, command.reasons, command.other_reason),
    )


def screen_in(
    cycle: CommandCycle, referral_id: UUID, command: ScreenInReferral, issued: Issued
) -> Outcome:
    return cycle.change_referral(
        referral_id,
        command,
        issued,
        lambda referral, audit: referral.screen_in(audit, command.rationale),
    )
