"""Commands of information sharing: consent, the meeting's conditions, disclosures."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from uuid import UUID

from aggregates.calendar import uk_date
from aggregates.errors import InvalidInstructionError, NotPermittedError, ProcessRuleViolationError
from aggregates.referral import Referral
from aggregates.refused_sharing import RefusedSharing
from aggregates.sharing import (
    AgencyStanding,
    DisclosureParties,
    InformationDisclosure,
    MeetingInvitation,
    OnwardDisclosureSanction,
    StatementReading,
    SubjectDiscussionRuling,
    Withholding,
)
from commands.base import ChangeReferral
from commands.context import Issued, Outcome
from commands.cycle import CommandCycle
from events.base import AuditEnvelope
from events.forms import (
    AgencyRef,
)
from events.vocabulary import (
    SharingAttempt,
)


class InviteAgency(MeetingInvitation, ChangeReferral):
    """Invite an agency to the strategy meeting (some types need a valid ISP signature)."""


class ReadConfidentialityStatement(StatementReading, ChangeReferral):
    """Record that the chair read the Appendix C statement at the start of the meeting."""


class DiscloseInformation(InformationDisclosure, ChangeReferral):
    """Share information with other agencies, with the legal bases and reasoning behind it.

    Name the recipients, or send to every agency invited to the meeting. Without consent, give
    the public-interest balance. The content and the reasoning are stored sealed."""


class WithholdDisclosure(Withholding, ChangeReferral):
    """An agency decided not to share information it holds, and why (section 3)."""


class SanctionOnwardDisclosure(OnwardDisclosureSanction, ChangeReferral):
    """The meeting's sanction to pass information outside it for an official purpose (App. C)."""


class DecideSubjectDiscussion(SubjectDiscussionRuling, ChangeReferral):
    """The owner's approval, or refusal, to discuss its information with the subject (App. C)."""


# Handlers


def invite_agency(
    cycle: CommandCycle, referral_id: UUID, command: InviteAgency, issued: Issued
) -> Outcome:
    agency = cycle.named_agency(command.agency_id, "agency_id")

    def decide(referral: Referral, audit: AuditEnvelope) -> None:
        standing = AgencyStanding(
            agency.state.ref, agency.state.may_share_on(uk_date(audit.occurred_at))
        )
        _attempt(
            cycle,
            referral,
            audit,
            SharingAttempt.INVITATION,
            None,
            [agency.state.ref],
            None,
            lambda: referral.invite_agency(
                audit, command, agency=standing, isp_required=agency.state.isp_required
            ),
        )

    return cycle.change_referral(referral_id, command, issued, decide)


def disclose(
    cycle: CommandCycle, referral_id: UUID, command: DiscloseInformation, issued: Issued
) -> Outcome:
    def decide(referral: Referral, audit: AuditEnvelope) -> None:
        parties = _disclosure_parties(cycle, referral, command, audit)
        _attempt(
            cycle,
            referral,
            audit,
            SharingAttempt.DISCLOSURE,
            parties.disclosing_agency,
            [recipient.ref for recipient in parties.recipients],
            command.information_category,
            lambda: referral.disclose(audit, command, parties=parties),
        )

    return cycle.change_referral(referral_id, command, issued, decide)


def withhold(
    cycle: CommandCycle, referral_id: UUID, command: WithholdDisclosure, issued: Issued
) -> Outcome:
    withholding = cycle.agency_ref(command.withholding_agency_id, "withholding_agency_id")
    requesting = (
        cycle.agency_ref(command.requesting_agency_id, "requesting_agency_id")
        if command.requesting_agency_id
        else None
    )
    return cycle.change_referral(
        referral_id,
        command,
        issued,
        lambda referral, audit: referral.withhold(
            audit, command, withholding_agency=withholding, requesting_agency=requesting
        ),
    )


def _disclosure_parties(
    cycle: CommandCycle, referral: Referral, command: DiscloseInformation, audit: AuditEnvelope
) -> DisclosureParties:
    """The disclosure as the referral decides on it: agencies looked up and handed in as facts
    about the day in question (who they are, whether they may share), so it does no I/O."""
    disclosed_at = command.disclosed_at or audit.occurred_at
    day = uk_date(disclosed_at)
    discloser = cycle.agency_ref(command.disclosing_agency_id, "disclosing_agency_id")
    recipient_ids = list(command.recipient_agency_ids) or [
        invited.agency_id
        for invited in referral.state.invited_agencies
        if invited.agency_id != discloser.agency_id
    ]
    if not recipient_ids:
        raise InvalidInstructionError(
            "to_meeting_attendees", "No other agency is invited to the meeting."
        )
    recipients = [
        cycle.named_agency(agency_id, "recipient_agency_ids") for agency_id in recipient_ids
    ]
    return DisclosureParties(
        disclosed_at=disclosed_at,
        disclosing_agency=discloser,
        recipients=[AgencyStanding(a.state.ref, a.state.may_share_on(day)) for a in recipients],
    )


def _attempt(
    cycle: CommandCycle,
    referral: Referral,
    audit: AuditEnvelope,
    attempted: SharingAttempt,
    disclosing: AgencyRef | None,
    recipients: Sequence[AgencyRef],
    category: str | None,
    attempt: Callable[[], None],
) -> None:
    """Run a sharing step; if a rule refuses it, record the refused attempt (without the
    information that would have been shared) before the refusal is answered."""
    try:
        attempt()
    except (ProcessRuleViolationError, NotPermittedError) as refusal:
        refused = RefusedSharing.record(
            cycle.new_id(),
            audit,
            referral_id=referral.id,
            attempted=attempted,
            disclosing_agency=disclosing,
            recipients=recipients,
            information_category=category,
            rule=refusal.rule,
        )
        cycle.record(refused)
        refusal.recorded_as = refused.id
        raise
