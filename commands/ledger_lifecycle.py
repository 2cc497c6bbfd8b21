"""Commands of the referral lifecycle: intake to conclusion (issue: the spine)."""

from __future__ import annotations

from uuid import UUID

from aggregates.referral import Referral
from commands.conclusion import ConcludeProcess, RecordPostExitReview, ReferToAlternativeSupport
from commands.context import Issued, Outcome
from commands.dispute import RaiseDispute, ReferDispute, ResolveDispute
from commands.intake import (
    ReceiveReferral,
    RecordSecurityChecks,
    RequestFurtherInformation,
    ReturnFurtherInformation,
    ScreenInReferral,
    ScreenOutReferral,
)
from commands.ledger_core import LedgerCore
from commands.review import HoldReview
from commands.strategy_discussion import (
    ConcludeStrategyDiscussion,
    ConsultReferrer,
    NotifyReferrer,
    RecordRiskAssessment,
    ScheduleStrategyDiscussion,
    SignMashDecision,
)
from commands.strategy_meeting import ConcludeStrategyMeeting, ConveneStrategyMeeting
from events.base import AuditEnvelope


class LifecycleCommands(LedgerCore):
    """One method per step of the process, from receipt to post-exit review."""

    # Intake and MASH triage

    def receive_referral(self, command: ReceiveReferral, issued: Issued) -> Outcome:
        return self._create(
            command,
            issued,
            lambda audit: Referral.receive(
                self._new_id(),
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
        self, referral_id: UUID, command: RecordSecurityChecks, issued: Issued
    ) -> Outcome:
        return self._change(
            referral_id, command, issued, lambda r, a: r.record_security_checks(a), self.referral
        )

    def request_further_information(
        self, referral_id: UUID, command: RequestFurtherInformation, issued: Issued
    ) -> Outcome:
        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.request_further_information(audit, command.information_needed)

        return self._change(referral_id, command, issued, decide, self.referral)

    def return_further_information(
        self, referral_id: UUID, command: ReturnFurtherInformation, issued: Issued
    ) -> Outcome:
        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.return_further_information(audit, command.information_summary)

        return self._change(referral_id, command, issued, decide, self.referral)

    def screen_out(self, referral_id: UUID, command: ScreenOutReferral, issued: Issued) -> Outcome:
        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.screen_out(audit, command.reasons, command.other_reason)

        return self._change(referral_id, command, issued, decide, self.referral)

    def screen_in(self, referral_id: UUID, command: ScreenInReferral, issued: Issued) -> Outcome:
        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.screen_in(audit, command.rationale)

        return self._change(referral_id, command, issued, decide, self.referral)

    # Strategy discussion and the Section 2 decision

    def schedule_strategy_discussion(
        self, referral_id: UUID, command: ScheduleStrategyDiscussion, issued: Issued
    ) -> Outcome:
        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.schedule_strategy_discussion(
                audit,
                command.scheduled_for,
                command.lead_officer,
                command.social_care_service,
                command.social_care_representative,
            )

        return self._change(referral_id, command, issued, decide, self.referral)

    def consult_referrer(
        self, referral_id: UUID, command: ConsultReferrer, issued: Issued
    ) -> Outcome:
        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.consult_referrer(audit, command.involvement, command.notes)

        return self._change(referral_id, command, issued, decide, self.referral)

    def record_risk_assessment(
        self, referral_id: UUID, command: RecordRiskAssessment, issued: Issued
    ) -> Outcome:
        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.record_risk_assessment(audit, command.assessment)

        return self._change(referral_id, command, issued, decide, self.referral)

    def conclude_strategy_discussion(
        self, referral_id: UUID, command: ConcludeStrategyDiscussion, issued: Issued
    ) -> Outcome:
        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.conclude_strategy_discussion(
                audit, command.outcome, command.vtr_category, command.reasons
            )

        return self._change(referral_id, command, issued, decide, self.referral)

    def sign_mash_decision(
        self, referral_id: UUID, command: SignMashDecision, issued: Issued
    ) -> Outcome:
        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.sign_mash_decision(audit, command.capacity)

        return self._change(referral_id, command, issued, decide, self.referral)

    def notify_referrer(
        self, referral_id: UUID, command: NotifyReferrer, issued: Issued
    ) -> Outcome:
        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.notify_referrer(
                audit,
                command.feedback_point,
                command.notified_at,
                command.notified_person,
                command.notified_by or issued.actor.actor_id,
                command.method,
            )

        return self._change(referral_id, command, issued, decide, self.referral)

    # Strategy meeting, support and reviews

    def convene_strategy_meeting(
        self, referral_id: UUID, command: ConveneStrategyMeeting, issued: Issued
    ) -> Outcome:
        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.convene_strategy_meeting(
                audit, command.meeting_at, command.chair, command.nominated_by
            )

        return self._change(referral_id, command, issued, decide, self.referral)

    def conclude_strategy_meeting(
        self, referral_id: UUID, command: ConcludeStrategyMeeting, issued: Issued
    ) -> Outcome:
        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.conclude_strategy_meeting(
                audit, command.outcome, command.actions, command.review_on, command.rationale
            )

        return self._change(referral_id, command, issued, decide, self.referral)

    def hold_review(self, referral_id: UUID, command: HoldReview, issued: Issued) -> Outcome:
        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.hold_review(
                audit,
                command.held_on,
                command.outcome,
                command.next_review_on,
                command.amended_actions,
                command.progress_notes,
            )

        return self._change(referral_id, command, issued, decide, self.referral)

    # Conclusion, post-exit reviews and disputes

    def conclude_process(
        self, referral_id: UUID, command: ConcludeProcess, issued: Issued
    ) -> Outcome:
        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.conclude_process(audit, command.concluded_on, command.note)

        return self._change(referral_id, command, issued, decide, self.referral)

    def refer_to_alternative_support(
        self, referral_id: UUID, command: ReferToAlternativeSupport, issued: Issued
    ) -> Outcome:
        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.refer_to_alternative_support(
                audit, command.referred_on, command.support_provider, command.rationale
            )

        return self._change(referral_id, command, issued, decide, self.referral)

    def record_post_exit_review(
        self, referral_id: UUID, command: RecordPostExitReview, issued: Issued
    ) -> Outcome:
        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.record_post_exit_review(
                audit, command.review_point, command.reviewed_on, command.outcome, command.notes
            )

        return self._change(referral_id, command, issued, decide, self.referral)

    def raise_dispute(self, referral_id: UUID, command: RaiseDispute, issued: Issued) -> Outcome:
        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.raise_dispute(audit, command.disputed_decision, command.grounds)

        return self._change(referral_id, command, issued, decide, self.referral)

    def refer_dispute(self, referral_id: UUID, command: ReferDispute, issued: Issued) -> Outcome:
        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.refer_dispute(
                audit,
                command.dispute_no,
                command.head_of_safeguarding,
                command.detective_superintendent,
            )

        return self._change(referral_id, command, issued, decide, self.referral)

    def resolve_dispute(
        self, referral_id: UUID, command: ResolveDispute, issued: Issued
    ) -> Outcome:
        def decide(referral: Referral, audit: AuditEnvelope) -> None:
            referral.resolve_dispute(audit, command.dispute_no, command.outcome, command.resolution)

        return self._change(referral_id, command, issued, decide, self.referral)
