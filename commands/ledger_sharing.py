"""Commands of information sharing on a referral: consent, invitations, disclosures.

Agencies are looked up here and handed to the referral as facts about the day in question
(who they are, whether they may share), so the aggregate decides without doing I/O. An
invitation or disclosure that a rule refuses is recorded as a refused attempt, without the
information that would have been shared, before the refusal is answered.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from uuid import UUID

from aggregates.agency import Agency
from aggregates.calendar import uk_date
from aggregates.errors import InvalidInstructionError, NotPermittedError, ProcessRuleViolationError
from aggregates.referral import Referral
from aggregates.refused_sharing import RefusedSharing
from aggregates.sharing import AgencyStanding, DisclosureRequest
from commands.consent import (
    DecideConsentApproach,
    RecordConsentGiven,
    RecordConsentRefused,
    RecordConsentWithdrawn,
    SeekConsent,
)
from commands.context import Issued, Outcome
from commands.errors import AgencyNotFoundError
from commands.ledger_core import LedgerCore
from commands.sharing import (
    DecideSubjectDiscussion,
    DiscloseInformation,
    InviteAgency,
    ReadConfidentialityStatement,
    SanctionOnwardDisclosure,
    WithholdDisclosure,
)
from events.base import AuditEnvelope
from events.forms import AgencyRef
from events.vocabulary import SharingAttempt


class SharingCommands(LedgerCore):
    """Consent, the strategy meeting's conditions for sharing, and disclosures."""

    def decide_consent_approach(
        self, referral_id: UUID, command: DecideConsentApproach, issued: Issued
    ) -> Outcome:
        seeker = (
            self._agency_ref(command.seeker_agency_id, "seeker_agency_id")
            if command.seeker_agency_id
            else None
        )

        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.decide_consent_approach(
                audit,
                command.stage,
                command.seek,
                seeker,
                command.reasons_not_sought,
                command.notes,
            )

        return self._change(referral_id, command, issued, decide, self.referral)

    def seek_consent(self, referral_id: UUID, command: SeekConsent, issued: Issued) -> Outcome:
        seeker = self._agency_ref(command.seeker_agency_id, "seeker_agency_id")

        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.seek_consent(audit, seeker, command.sought_on)

        return self._change(referral_id, command, issued, decide, self.referral)

    def record_consent_given(
        self, referral_id: UUID, command: RecordConsentGiven, issued: Issued
    ) -> Outcome:
        attested = (
            command.freely_given,
            command.informed_of_who_and_why,
            command.told_can_withdraw,
        )

        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.record_consent_given(
                audit, command.given_by, attested, command.given_on, command.notes
            )

        return self._change(referral_id, command, issued, decide, self.referral)

    def record_consent_refused(
        self, referral_id: UUID, command: RecordConsentRefused, issued: Issued
    ) -> Outcome:
        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.record_consent_refused(audit, command.refused_on, command.notes)

        return self._change(referral_id, command, issued, decide, self.referral)

    def record_consent_withdrawn(
        self, referral_id: UUID, command: RecordConsentWithdrawn, issued: Issued
    ) -> Outcome:
        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.record_consent_withdrawn(audit, command.withdrawn_on, command.notes)

        return self._change(referral_id, command, issued, decide, self.referral)

    def invite_agency(self, referral_id: UUID, command: InviteAgency, issued: Issued) -> Outcome:
        agency = self._agency(command.agency_id, "agency_id")

        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            standing = AgencyStanding(
                agency.state.ref, agency.state.may_share_on(uk_date(audit.occurred_at))
            )
            self._attempt(
                referral,
                audit,
                SharingAttempt.INVITATION,
                None,
                [agency.state.ref],
                None,
                lambda: referral.invite_agency(audit, standing, agency.state.isp_required),
            )

        return self._change(referral_id, command, issued, decide, self.referral)

    def read_confidentiality_statement(
        self, referral_id: UUID, command: ReadConfidentialityStatement, issued: Issued
    ) -> Outcome:
        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.read_confidentiality_statement(audit, command.statement_version)

        return self._change(referral_id, command, issued, decide, self.referral)

    def disclose(self, referral_id: UUID, command: DiscloseInformation, issued: Issued) -> Outcome:
        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            request = self._disclosure_request(referral, command, audit)
            self._attempt(
                referral,
                audit,
                SharingAttempt.DISCLOSURE,
                request.disclosing_agency,
                [recipient.ref for recipient in request.recipients],
                command.information_category,
                lambda: referral.disclose(audit, request),
            )

        return self._change(referral_id, command, issued, decide, self.referral)

    def withhold(self, referral_id: UUID, command: WithholdDisclosure, issued: Issued) -> Outcome:
        withholding = self._agency_ref(command.withholding_agency_id, "withholding_agency_id")
        requesting = (
            self._agency_ref(command.requesting_agency_id, "requesting_agency_id")
            if command.requesting_agency_id
            else None
        )

        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.withhold(
                audit,
                withholding,
                requesting,
                command.information_category,
                command.reason,
                command.explanation,
            )

        return self._change(referral_id, command, issued, decide, self.referral)

    def sanction_onward_disclosure(
        self, referral_id: UUID, command: SanctionOnwardDisclosure, issued: Issued
    ) -> Outcome:
        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.sanction_onward_disclosure(
                audit, command.disclosure_no, command.to_bodies, command.official_purpose
            )

        return self._change(referral_id, command, issued, decide, self.referral)

    def decide_subject_discussion(
        self, referral_id: UUID, command: DecideSubjectDiscussion, issued: Issued
    ) -> Outcome:
        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.decide_subject_discussion(audit, command.disclosure_no, command.decision)

        return self._change(referral_id, command, issued, decide, self.referral)

    def _disclosure_request(
        self, referral: Referral, command: DiscloseInformation, audit: AuditEnvelope
    ) -> DisclosureRequest:
        disclosed_at = command.disclosed_at or audit.occurred_at
        day = uk_date(disclosed_at)
        discloser = self._agency_ref(command.disclosing_agency_id, "disclosing_agency_id")
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
            self._agency(agency_id, "recipient_agency_ids") for agency_id in recipient_ids
        ]
        return DisclosureRequest(
            context=command.context,
            disclosed_at=disclosed_at,
            disclosing_agency=discloser,
            recipients=[AgencyStanding(a.state.ref, a.state.may_share_on(day)) for a in recipients],
            information_category=command.information_category,
            content=command.content,
            legal_basis_ids=command.legal_basis_ids,
            principles=command.principles,
            justification=command.justification,
            need_to_know=command.need_to_know,
            public_interest=command.public_interest,
            public_interest_reasoning=command.public_interest_reasoning,
            particularly_sensitive=command.particularly_sensitive,
            handling_advice=command.handling_advice,
            purpose=command.purpose,
        )

    def _attempt(
        self,
        referral: Referral,
        audit: AuditEnvelope,
        attempted: SharingAttempt,
        disclosing: AgencyRef | None,
        recipients: Sequence[AgencyRef],
        category: str | None,
        attempt: Callable[[], None],
    ) -> None:
        """Run a sharing step; if a rule refuses it, record the refused attempt first."""
        try:
            attempt()
        except (ProcessRuleViolationError, NotPermittedError) as refusal:
            refused = RefusedSharing.record(
                self._new_id(),
                audit,
                referral_id=referral.id,
                attempted=attempted,
                disclosing_agency=disclosing,
                recipients=recipients,
                information_category=category,
                rule=refusal.rule,
            )
            self.save(refused)
            refusal.recorded_as = refused.id
            raise

    def _agency(self, agency_id: UUID, field: str) -> Agency:
        try:
            return self.agency(agency_id)
        except AgencyNotFoundError:
            raise InvalidInstructionError(field, f"There is no agency {agency_id}.") from None

    def _agency_ref(self, agency_id: UUID, field: str) -> AgencyRef:
        return self._agency(agency_id, field).state.ref
