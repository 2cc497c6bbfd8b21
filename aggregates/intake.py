"""Steps of MASH triage: security checks, further information, screening (section 5)."""

from __future__ import annotations

from pydantic import AwareDatetime, Field

from aggregates import rules
from aggregates.errors import (
    InvalidInstructionError,
)
from aggregates.instructions import AgencyName, Instruction, StaffRef
from aggregates.referral_base import (
    TRIAGE_STAGES,
    ReferralBase,
)
from aggregates.referral_state import Stage
from events.base import AuditEnvelope
from events.forms import (
    Choices,
    Narrative,
    ReferralConcern,
    ReferrerDetails,
    RelatedPerson,
    SubjectDetails,
)
from events.intake import (
    FurtherInformationRequested,
    FurtherInformationReturned,
    ReferralScreenedIn,
    ReferralScreenedOut,
    SecurityChecksRecorded,
)
from events.vocabulary import (
    AgeGroup,
    ReceivedVia,
    ScreeningOutReason,
)


class ReferralForm(Instruction):
    """Record a completed referral form (Appendix A) as received by the MASH."""

    received_at: AwareDatetime
    received_via: ReceivedVia
    on_call_detective_inspector: StaffRef | None = None
    referring_agency: AgencyName
    subject_age_group: AgeGroup
    subject: SubjectDetails
    partner_and_parents: tuple[RelatedPerson, ...] = Field(default_factory=tuple, max_length=20)
    children_and_siblings: tuple[RelatedPerson, ...] = Field(default_factory=tuple, max_length=30)
    concern: ReferralConcern
    referrer: ReferrerDetails


class InformationRequest(Instruction):
    """Pass the referral to the MASH Operational Desk for further information."""

    information_needed: Narrative


class InformationReturn(Instruction):
    """The MASH Operational Desk returns the further information triage asked for."""

    information_summary: Narrative


class ScreeningOut(Instruction):
    """Decide that the referral does not continue; 'other' needs the reason in words."""

    reasons: Choices[ScreeningOutReason] = Field(min_length=1, max_length=len(ScreeningOutReason))
    other_reason: Narrative | None = None


class ScreeningIn(Instruction):
    """Triage screens the referral in: it goes on to a strategy discussion (section 5)."""

    rationale: Narrative | None = None


class IntakeSteps(ReferralBase):
    """MASH triage of a received referral."""

    def record_security_checks(self, audit: AuditEnvelope) -> None:
        self._require_stage("Recording security checks", TRIAGE_STAGES, "during MASH triage")
        self._require(self.state.security_checks_recorded_at is None, rules.SECURITY_CHECKS_ONCE)
        self._record(SecurityChecksRecorded(**self._header(audit)))

    def request_further_information(
        self, audit: AuditEnvelope, request: InformationRequest
    ) -> None:
        self._require(
            self.state.stage is not Stage.AWAITING_FURTHER_INFORMATION,
            rules.FURTHER_INFORMATION_OUTSTANDING,
        )
        self._require_stage("Requesting further information", {Stage.TRIAGE}, "during MASH triage")
        request_no = len(self.state.further_information_requests) + 1
        self._record(
            FurtherInformationRequested(
                **self._header(audit),
                request_no=request_no,
                information_needed=request.information_needed,
            )
        )

    def return_further_information(self, audit: AuditEnvelope, returned: InformationReturn) -> None:
        self._require(
            self.state.stage is Stage.AWAITING_FURTHER_INFORMATION,
            rules.NO_FURTHER_INFORMATION_REQUESTED,
        )
        request_no = self.state.further_information_requests[-1].request_no
        self._record(
            FurtherInformationReturned(
                **self._header(audit),
                request_no=request_no,
                information_summary=returned.information_summary,
            )
        )

    def screen_out(self, audit: AuditEnvelope, screening: ScreeningOut) -> None:
        self._require_ready_for_screening()
        if (ScreeningOutReason.OTHER in screening.reasons) != (screening.other_reason is not None):
            raise InvalidInstructionError(
                "other_reason", "Give the other reason in words exactly when 'other' is a reason."
            )
        self._record(
            ReferralScreenedOut(
                **self._header(audit),
                reasons=tuple(screening.reasons),
                other_reason=screening.other_reason,
            )
        )

    def screen_in(self, audit: AuditEnvelope, screening: ScreeningIn) -> None:
        self._require_ready_for_screening()
        self._record(ReferralScreenedIn(**self._header(audit), rationale=screening.rationale))

    def _require_ready_for_screening(self) -> None:
        self._require(
            self.state.stage is not Stage.AWAITING_FURTHER_INFORMATION,
            rules.FURTHER_INFORMATION_OUTSTANDING,
        )
        self._require_stage("Screening", {Stage.TRIAGE}, "during MASH triage")
        self._require(
            self.state.security_checks_recorded_at is not None,
            rules.SECURITY_CHECKS_BEFORE_SCREENING,
        )
