"""The write side of the VTR process: one application, one method per command.

Each command method hands its command to the handler of its stage (`commands/<stage>.py`),
which decides on the aggregate through the load → decide → save cycle (`commands/cycle.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import ClassVar, get_type_hints
from uuid import UUID, uuid4

from eventsourcing.application import Application
from eventsourcing.persistence import Mapper, Recording
from eventsourcing.utils import Environment

from aggregates.agency import Agency
from aggregates.referral import Referral
from commands import agency as agencies
from commands import (
    consent,
    disposal,
    dispute,
    erasure,
    intake,
    meetings,
    sharing,
)
from commands.agency import LapseIsp, RegisterAgency, SignIsp
from commands.base import Command
from commands.clock import Clock, SystemClock
from commands.conclusion import ConcludeProcess, RecordPostExitReview, ReferToAlternativeSupport
from commands.consent import (
    DecideConsentApproach,
    RecordConsentGiven,
    RecordConsentRefused,
    RecordConsentWithdrawn,
    SeekConsent,
)
from commands.context import Issued, Outcome
from commands.controller_reasoning import ControllerReasoningReseal, ResealReport
from commands.cycle import CommandCycle
from commands.disposal import (
    DEFAULT_DISPOSAL_WORKING_DAYS,
    ConfirmDisposal,
    EndAgencyInvolvement,
    LiftLegalHold,
    PlaceLegalHold,
)
from commands.dispute import DiscloseDisputePack, RaiseDispute, ReferDispute, ResolveDispute
from commands.erasure import (
    ApproveErasure,
    ExecuteErasure,
    KeyDestruction,
    RequestErasure,
    ReviewRetention,
)
from commands.errors import ReferralNotFoundError
from commands.idempotency import Idempotency
from commands.intake import (
    ReceiveReferral,
    RecordSecurityChecks,
    RequestFurtherInformation,
    ReturnFurtherInformation,
    ScreenInReferral,
    ScreenOutReferral,
)
from commands.keyring import KeyRing
from commands.meetings import (
    AgreeAction,
    ApproveMinutes,
    CirculateMinutes,
    CompleteAction,
    ContinueActions,
    DraftMinutes,
    DropAction,
    NoteActionProgress,
    RecordAttendance,
    ScheduleMeeting,
)
from commands.recorders import LedgerRecorder
from commands.review import HoldReview
from commands.sharing import (
    DecideSubjectDiscussion,
    DiscloseInformation,
    InviteAgency,
    ReadConfidentialityStatement,
    SanctionOnwardDisclosure,
    WithholdDisclosure,
)
from commands.snapshot_recorders import snapshot_recorder_beside
from commands.snapshots import ReferralSnapshots
from commands.strategy_discussion import (
    ConcludeStrategyDiscussion,
    ConsultReferrer,
    NotifyReferrer,
    RecordRiskAssessment,
    ScheduleStrategyDiscussion,
    SignMashDecision,
)
from commands.strategy_meeting import ConcludeStrategyMeeting, ConveneStrategyMeeting
from events.base import DomainEvent
from events.intake import ReferralReceived
from events.storage import EventMapper
from events.vocabulary import INSPECTOR_AND_ABOVE, PoliceRank

# The name the library gives the ledger's tables and log; stored, so never changed.
STORED_NAME = "vtr"


class ReferralLedger(Application[UUID]):
    """Records the VTR process: referrals, agencies and the sharing of information.

    Every change is attributed (who, role, agency, when, which command), names the version it
    was decided on, and may carry an idempotency key (see `commands.cycle`). Business time
    comes from `clock` and every new id (referrals, refused attempts, the commands the HTTP
    edge issues) from `new_id`, so tests and replays can fix both.
    """

    name = STORED_NAME
    env: ClassVar[dict[str, str]] = {}

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        *,
        keyring: KeyRing,
        clock: Clock | None = None,
        new_id: Callable[[], UUID] = uuid4,
        disposal_working_days: int = DEFAULT_DISPOSAL_WORKING_DAYS,
        strategy_meeting_police_ranks: frozenset[PoliceRank] = INSPECTOR_AND_ABOVE,
    ) -> None:
        self.keyring = keyring
        self.clock: Clock = clock or SystemClock()
        self.new_id = new_id
        self.disposal_working_days = disposal_working_days
        self.strategy_meeting_police_ranks = strategy_meeting_police_ranks
        self._save_listeners: list[Callable[[int], None]] = []
        super().__init__(env)
        if not isinstance(self.recorder, LedgerRecorder):
            raise TypeError("the ledger needs a LedgerRecorder (see APPLICATION_RECORDER_TOPIC)")
        self.ledger_recorder: LedgerRecorder = self.recorder
        self.referral_snapshots = ReferralSnapshots(
            snapshot_recorder_beside(self.ledger_recorder),
            self.ledger_recorder,
            self._event_mapper(),
        )
        self._cycle = CommandCycle(
            repository=self.repository,
            save=self.save,
            recorder=self.ledger_recorder,
            mapper=self._event_mapper(),
            idempotency=Idempotency(
                self.ledger_recorder, keyring.derived_secret("idempotency fingerprints")
            ),
            snapshots=self.referral_snapshots,
            clock=self.clock,
            new_id=new_id,
            announce=self._announce,
        )
        self._keys = KeyDestruction(keyring, self.ledger_recorder, self.clock)

    def construct_env(self, name: str, env: Mapping[str, str] | None = None) -> Environment:
        # Only the composition root reads the process environment; it passes what we need.
        # A subclass (a test's, a benchmark's) stores under the ledger's name, not its own.
        del name
        return Environment(STORED_NAME, {**type(self).env, **(env or {})})

    def construct_mapper(self) -> Mapper[UUID]:
        return EventMapper(self.keyring)

    def on_saved(self, listener: Callable[[int], None]) -> None:
        """Call `listener(position)` after each save (wakes in-process projections)."""
        self._save_listeners.append(listener)

    def _notify(self, recordings: list[Recording[UUID]]) -> None:
        # The library's hook after every save.
        if recordings:
            self._announce(recordings[-1].notification.id)

    def _announce(self, position: int) -> None:
        for listener in self._save_listeners:
            listener(position)

    def _event_mapper(self) -> EventMapper:
        assert isinstance(self.mapper, EventMapper)  # noqa: S101 (construct_mapper makes it)
        return self.mapper

    # Reads of one aggregate's own history (lists go through projections)

    def referral(self, referral_id: UUID) -> Referral:
        return self._cycle.referral(referral_id)

    def agency(self, agency_id: UUID) -> Agency:
        return self._cycle.agency(agency_id)

    def history(self, referral_id: UUID, *, reveal: bool = False) -> list[tuple[int, DomainEvent]]:
        """The referral's events with their log positions; personal data opened only on request."""
        notifications = self.ledger_recorder.select_history(referral_id)
        if not notifications or notifications[0].topic != ReferralReceived.TOPIC:
            raise ReferralNotFoundError(referral_id)
        mapper = self._event_mapper()
        if reveal:
            self.keyring.forget_destroyed(referral_id)  # another process may have erased it
        decode = mapper.to_revealed_event if reveal else mapper.to_domain_event
        return [(notification.id, decode(notification)) for notification in notifications]

    # Upkeep at start: erasures finished, the controller's reasoning moved to its own key

    def reapply_erasures(self, *, only_revived: bool = False) -> int:
        return erasure.reapply_erasures(self._keys, self.recorder, only_revived=only_revived)

    def reseal_controller_reasoning(self, page_size: int = 500) -> ResealReport:
        reseal = ControllerReasoningReseal(
            self.recorder, self.ledger_recorder, self._event_mapper(), self.keyring
        )
        return reseal.run(page_size)

    # Intake and MASH triage
    def receive_referral(self, command: ReceiveReferral, issued: Issued) -> Outcome:
        return intake.receive_referral(self._cycle, command, issued)

    def record_security_checks(
        self, referral_id: UUID, command: RecordSecurityChecks, issued: Issued
    ) -> Outcome:
        return intake.record_security_checks(self._cycle, referral_id, command, issued)

    def request_further_information(
        self, referral_id: UUID, command: RequestFurtherInformation, issued: Issued
    ) -> Outcome:
        return self._cycle.take(referral_id, command, issued, Referral.request_further_information)

    def return_further_information(
        self, referral_id: UUID, command: ReturnFurtherInformation, issued: Issued
    ) -> Outcome:
        return self._cycle.take(referral_id, command, issued, Referral.return_further_information)

    def screen_out(self, referral_id: UUID, command: ScreenOutReferral, issued: Issued) -> Outcome:
        return self._cycle.take(referral_id, command, issued, Referral.screen_out)

    def screen_in(self, referral_id: UUID, command: ScreenInReferral, issued: Issued) -> Outcome:
        return self._cycle.take(referral_id, command, issued, Referral.screen_in)

    # Strategy discussion and the Section 2 decision
    def schedule_strategy_discussion(
        self, referral_id: UUID, command: ScheduleStrategyDiscussion, issued: Issued
    ) -> Outcome:
        return self._cycle.take(referral_id, command, issued, Referral.schedule_strategy_discussion)

    def consult_referrer(
        self, referral_id: UUID, command: ConsultReferrer, issued: Issued
    ) -> Outcome:
        return self._cycle.take(referral_id, command, issued, Referral.consult_referrer)

    def record_risk_assessment(
        self, referral_id: UUID, command: RecordRiskAssessment, issued: Issued
    ) -> Outcome:
        return self._cycle.take(referral_id, command, issued, Referral.record_risk_assessment)

    def conclude_strategy_discussion(
        self, referral_id: UUID, command: ConcludeStrategyDiscussion, issued: Issued
    ) -> Outcome:
        return self._cycle.take(referral_id, command, issued, Referral.conclude_strategy_discussion)

    def sign_mash_decision(
        self, referral_id: UUID, command: SignMashDecision, issued: Issued
    ) -> Outcome:
        return self._cycle.take(referral_id, command, issued, Referral.sign_mash_decision)

    def notify_referrer(
        self, referral_id: UUID, command: NotifyReferrer, issued: Issued
    ) -> Outcome:
        return self._cycle.take(referral_id, command, issued, Referral.notify_referrer)

    # Strategy meeting
    def convene_strategy_meeting(
        self, referral_id: UUID, command: ConveneStrategyMeeting, issued: Issued
    ) -> Outcome:
        return self._cycle.take(referral_id, command, issued, Referral.convene_strategy_meeting)

    def conclude_strategy_meeting(
        self, referral_id: UUID, command: ConcludeStrategyMeeting, issued: Issued
    ) -> Outcome:
        return self._cycle.take(referral_id, command, issued, Referral.conclude_strategy_meeting)

    # Reviews of the support package
    def hold_review(self, referral_id: UUID, command: HoldReview, issued: Issued) -> Outcome:
        return self._cycle.take(referral_id, command, issued, Referral.hold_review)

    # Conclusion and post-exit reviews
    def conclude_process(
        self, referral_id: UUID, command: ConcludeProcess, issued: Issued
    ) -> Outcome:
        return self._cycle.take(referral_id, command, issued, Referral.conclude_process)

    def refer_to_alternative_support(
        self, referral_id: UUID, command: ReferToAlternativeSupport, issued: Issued
    ) -> Outcome:
        return self._cycle.take(referral_id, command, issued, Referral.refer_to_alternative_support)

    def record_post_exit_review(
        self, referral_id: UUID, command: RecordPostExitReview, issued: Issued
    ) -> Outcome:
        return self._cycle.take(referral_id, command, issued, Referral.record_post_exit_review)

    # Disputes
    def raise_dispute(self, referral_id: UUID, command: RaiseDispute, issued: Issued) -> Outcome:
        return self._cycle.take(referral_id, command, issued, Referral.raise_dispute)

    def refer_dispute(self, referral_id: UUID, command: ReferDispute, issued: Issued) -> Outcome:
        return self._cycle.take(referral_id, command, issued, Referral.refer_dispute)

    def resolve_dispute(
        self, referral_id: UUID, command: ResolveDispute, issued: Issued
    ) -> Outcome:
        return self._cycle.take(referral_id, command, issued, Referral.resolve_dispute)

    def disclose_dispute_pack(
        self, referral_id: UUID, command: DiscloseDisputePack, issued: Issued
    ) -> Outcome:
        return dispute.disclose_dispute_pack(
            self._cycle, self.keyring, referral_id, command, issued
        )

    # Meetings, minutes and the action plan
    def schedule_meeting(
        self, referral_id: UUID, command: ScheduleMeeting, issued: Issued
    ) -> Outcome:
        return self._cycle.take(referral_id, command, issued, Referral.schedule_meeting)

    def record_attendance(
        self, referral_id: UUID, command: RecordAttendance, issued: Issued
    ) -> Outcome:
        ranks = self.strategy_meeting_police_ranks
        return meetings.record_attendance(self._cycle, ranks, referral_id, command, issued)

    def draft_minutes(self, referral_id: UUID, command: DraftMinutes, issued: Issued) -> Outcome:
        return self._cycle.take(referral_id, command, issued, Referral.draft_minutes)

    def approve_minutes(
        self, referral_id: UUID, command: ApproveMinutes, issued: Issued
    ) -> Outcome:
        revealed = partial(self.history, reveal=True)
        return meetings.approve_minutes(self._cycle, revealed, referral_id, command, issued)

    def circulate_minutes(
        self, referral_id: UUID, command: CirculateMinutes, issued: Issued
    ) -> Outcome:
        return meetings.circulate_minutes(self._cycle, referral_id, command, issued)

    def agree_action(self, referral_id: UUID, command: AgreeAction, issued: Issued) -> Outcome:
        return meetings.agree_action(self._cycle, referral_id, command, issued)

    def note_action_progress(
        self, referral_id: UUID, command: NoteActionProgress, issued: Issued
    ) -> Outcome:
        return self._cycle.take(referral_id, command, issued, Referral.note_action_progress)

    def complete_action(
        self, referral_id: UUID, command: CompleteAction, issued: Issued
    ) -> Outcome:
        return self._cycle.take(referral_id, command, issued, Referral.complete_action)

    def drop_action(self, referral_id: UUID, command: DropAction, issued: Issued) -> Outcome:
        return self._cycle.take(referral_id, command, issued, Referral.drop_action)

    def continue_actions(
        self, referral_id: UUID, command: ContinueActions, issued: Issued
    ) -> Outcome:
        return self._cycle.take(referral_id, command, issued, Referral.continue_actions)

    # Consent
    def decide_consent_approach(
        self, referral_id: UUID, command: DecideConsentApproach, issued: Issued
    ) -> Outcome:
        return consent.decide_consent_approach(self._cycle, referral_id, command, issued)

    def seek_consent(self, referral_id: UUID, command: SeekConsent, issued: Issued) -> Outcome:
        return consent.seek_consent(self._cycle, referral_id, command, issued)

    def record_consent_given(
        self, referral_id: UUID, command: RecordConsentGiven, issued: Issued
    ) -> Outcome:
        return self._cycle.take(referral_id, command, issued, Referral.record_consent_given)

    def record_consent_refused(
        self, referral_id: UUID, command: RecordConsentRefused, issued: Issued
    ) -> Outcome:
        return self._cycle.take(referral_id, command, issued, Referral.record_consent_refused)

    def record_consent_withdrawn(
        self, referral_id: UUID, command: RecordConsentWithdrawn, issued: Issued
    ) -> Outcome:
        return self._cycle.take(referral_id, command, issued, Referral.record_consent_withdrawn)

    # Information sharing
    def invite_agency(self, referral_id: UUID, command: InviteAgency, issued: Issued) -> Outcome:
        return sharing.invite_agency(self._cycle, referral_id, command, issued)

    def read_confidentiality_statement(
        self, referral_id: UUID, command: ReadConfidentialityStatement, issued: Issued
    ) -> Outcome:
        return self._cycle.take(
            referral_id, command, issued, Referral.read_confidentiality_statement
        )

    def disclose(self, referral_id: UUID, command: DiscloseInformation, issued: Issued) -> Outcome:
        return sharing.disclose(self._cycle, referral_id, command, issued)

    def withhold(self, referral_id: UUID, command: WithholdDisclosure, issued: Issued) -> Outcome:
        return sharing.withhold(self._cycle, referral_id, command, issued)

    def sanction_onward_disclosure(
        self, referral_id: UUID, command: SanctionOnwardDisclosure, issued: Issued
    ) -> Outcome:
        return self._cycle.take(referral_id, command, issued, Referral.sanction_onward_disclosure)

    def decide_subject_discussion(
        self, referral_id: UUID, command: DecideSubjectDiscussion, issued: Issued
    ) -> Outcome:
        return self._cycle.take(referral_id, command, issued, Referral.decide_subject_discussion)

    # Section 8: end of involvement, disposal and legal holds
    def end_agency_involvement(
        self, referral_id: UUID, command: EndAgencyInvolvement, issued: Issued
    ) -> Outcome:
        return disposal.end_agency_involvement(
            self._cycle, referral_id, command, issued, self.disposal_working_days
        )

    def confirm_disposal(
        self, referral_id: UUID, command: ConfirmDisposal, issued: Issued
    ) -> Outcome:
        return self._cycle.take(referral_id, command, issued, Referral.confirm_disposal)

    def place_legal_hold(
        self, referral_id: UUID, command: PlaceLegalHold, issued: Issued
    ) -> Outcome:
        return self._cycle.take(referral_id, command, issued, Referral.place_legal_hold)

    def lift_legal_hold(self, referral_id: UUID, command: LiftLegalHold, issued: Issued) -> Outcome:
        return disposal.lift_legal_hold(
            self._cycle, referral_id, command, issued, self.disposal_working_days
        )

    # Erasure and retention review
    def review_retention(
        self, referral_id: UUID, command: ReviewRetention, issued: Issued
    ) -> Outcome:
        return self._cycle.take(referral_id, command, issued, Referral.review_retention)

    def request_erasure(self, command: RequestErasure, issued: Issued) -> Outcome:
        return erasure.request_erasure(self._cycle, command, issued)

    def approve_erasure(self, command: ApproveErasure, issued: Issued) -> Outcome:
        return erasure.approve_erasure(self._cycle, command, issued)

    def execute_erasure(self, command: ExecuteErasure, issued: Issued) -> Outcome:
        return erasure.execute_erasure(self._cycle, self._keys, command, issued)

    # The agency directory and the ISP signature register
    def register_agency(self, command: RegisterAgency, issued: Issued) -> Outcome:
        return agencies.register_agency(self._cycle, command, issued)

    def agency_exists(self, agency_id: UUID) -> bool:
        return agencies.agency_exists(self._cycle, agency_id)

    def sign_isp(self, agency_id: UUID, command: SignIsp, issued: Issued) -> Outcome:
        return agencies.sign_isp(self._cycle, agency_id, command, issued)

    def lapse_isp(self, agency_id: UUID, command: LapseIsp, issued: Issued) -> Outcome:
        return agencies.lapse_isp(self._cycle, agency_id, command, issued)


def command_model(method_name: str) -> type[Command]:
    """The command class a ledger method takes, read from its signature, so scripts that
    issue commands by name need no table of their own."""
    model: type[Command] = get_type_hints(getattr(ReferralLedger, method_name))["command"]
    return model
