"""Steps of MASH triage: security checks, further information, screening (section 5)."""

from __future__ import annotations

from collections.abc import Sequence

from aggregates import rules
from aggregates.errors import (
    InvalidInstructionError,
)
from aggregates.referral_base import (
    TRIAGE_STAGES,
    ReferralBase,
)
from aggregates.referral_state import Stage
from events.base import AuditEnvelope
from events.intake import (
    FurtherInformationRequested,
    FurtherInformationReturned,
    ReferralScreenedIn,
    ReferralScreenedOut,
    SecurityChecksRecorded,
)
from events.vocabulary import (
    ScreeningOutReason,
)


class IntakeSteps(ReferralBase):
    """MASH triage of a received referral."""

    def record_security_checks(self, audit: AuditEnvelope) -> None:
        self._require_stage("Recording security checks", TRIAGE_STAGES, "during MASH triage")
        self._require(self.state.security_checks_recorded_at is None, rules.SECURITY_CHECKS_ONCE)
        self._record(SecurityChecksRecorded(**self._header(audit)))

    def request_further_information(self, audit: AuditEnvelope, information_needed: str) -> None:
        self._require(
            self.state.stage is not Stage.AWAITING_FURTHER_INFORMATION,
            rules.FURTHER_INFORMATION_OUTSTANDING,
        )
        self._require_stage("Requesting further information", {Stage.TRIAGE}, "during MASH triage")
        request_no = len(self.state.further_information_requests) + 1
        self._record(
            FurtherInformationRequested(
                **self._header(audit), request_no=request_no, information_needed=information_needed
            )
        )

    def return_further_information(self, audit: AuditEnvelope, information_summary: str) -> None:
        self._require(
            self.state.stage is Stage.AWAITING_FURTHER_INFORMATION,
            rules.NO_FURTHER_INFORMATION_REQUESTED,
        )
        request_no = self.state.further_information_requests[-1].request_no
        self._record(
            FurtherInformationReturned(
                **self._header(audit),
                request_no=request_no,
                information_summary=information_summary,
            )
        )

    def screen_out(
        self,
        audit: AuditEnvelope,
        reasons: Sequence[ScreeningOutReason],
        other_reason: str | None,
    ) -> None:
        self._require_ready_for_screening()
        if (ScreeningOutReason.OTHER in reasons) != (other_reason is not None):
            raise InvalidInstructionError(
                "other_reason", "Give the other reason in words exactly when 'other' is a reason."
            )
        self._record(
            ReferralScreenedOut(
                **self._header(audit),
                reasons=tuple(dict.fromkeys(reasons)),
                other_reason=other_reason,
            )
        )

    def screen_in(self, audit: AuditEnvelope, rationale: str | None) -> None:
        self._require_ready_for_screening()
        self._record(ReferralScreenedIn(**self._header(audit), rationale=rationale))

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
