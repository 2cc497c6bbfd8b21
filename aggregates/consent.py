"""Steps of consent (Appendix B): decided at two stages, then sought, given, refused, withdrawn.

"Before any agency/group seeks consent from the person of concern this must be discussed at
both the preliminary assessment and multi-agency panel stages and a decision made on whether
consent is to be sought and by whom." Each stage decides for itself: before the strategy
meeting the preliminary assessment's decision governs, from the meeting on the panel's.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from aggregates import rules
from aggregates.calendar import uk_date
from aggregates.errors import InvalidInstructionError
from aggregates.referral_base import ReferralBase, not_after
from aggregates.referral_state import ConsentDecision, Stage
from events.base import AuditEnvelope
from events.consent import (
    ConsentApproachDecided,
    ConsentGiven,
    ConsentRefused,
    ConsentSought,
    ConsentWithdrawn,
)
from events.forms import AgencyRef
from events.vocabulary import ConsentGiver, ConsentNotSoughtReason, ConsentStage, ConsentStatus

DECISION_STAGES = {
    ConsentStage.PRELIMINARY_ASSESSMENT: (
        {
            Stage.AWAITING_STRATEGY_DISCUSSION,
            Stage.STRATEGY_DISCUSSION,
            Stage.AWAITING_SECTION_2_SIGNATURES,
            Stage.AWAITING_STRATEGY_MEETING,
        },
        "from screening in until the strategy meeting",
    ),
    ConsentStage.PANEL: (
        {Stage.STRATEGY_MEETING, Stage.SUPPORT_AND_REVIEW},
        "once the strategy meeting is convened, while support is delivered",
    ),
}


class ConsentSteps(ReferralBase):
    """Whether to seek consent, and the consent itself."""

    def decide_consent_approach(
        self,
        audit: AuditEnvelope,
        stage: ConsentStage,
        seek: bool,
        seeker: AgencyRef | None,
        reasons_not_sought: Sequence[ConsentNotSoughtReason],
        notes: str | None,
    ) -> None:
        stages, allowed = DECISION_STAGES[stage]
        self._require_stage(f"The {stage} decision on consent", stages, allowed)
        if seek and seeker is None:
            raise InvalidInstructionError("seeker_agency_id", "Say which agency will seek consent.")
        if not seek and not reasons_not_sought:
            raise InvalidInstructionError(
                "reasons_not_sought", "Give the Appendix B reasons why consent is not sought."
            )
        self._record(
            ConsentApproachDecided(
                **self._header(audit),
                stage=stage,
                seek=seek,
                seeker_agency=seeker if seek else None,
                reasons_not_sought=() if seek else tuple(dict.fromkeys(reasons_not_sought)),
                notes=notes,
            )
        )

    def seek_consent(self, audit: AuditEnvelope, seeker: AgencyRef, sought_on: date) -> None:
        decision = self._governing_consent_decision()
        self._require(decision is not None, rules.CONSENT_DECISION_FIRST)
        assert decision is not None  # noqa: S101 (checked by the rule above)
        self._require(decision.seek, rules.CONSENT_NOT_TO_BE_SOUGHT)
        self._require(
            decision.seeker_agency_id == seeker.agency_id, rules.CONSENT_SEEKER_AS_DECIDED
        )
        self._require(
            self.state.consent_status is not ConsentStatus.GIVEN, rules.CONSENT_ALREADY_GIVEN
        )
        not_after(sought_on, uk_date(audit.occurred_at), "sought_on", "today")
        self._record(
            ConsentSought(
                **self._header(audit),
                stage=self._consent_stage(),
                seeker_agency=seeker,
                sought_on=sought_on,
            )
        )

    def record_consent_given(
        self,
        audit: AuditEnvelope,
        given_by: ConsentGiver,
        attestations: tuple[bool, bool, bool],
        given_on: date,
        notes: str | None,
    ) -> None:
        self._require(self.state.consent_status is ConsentStatus.SOUGHT, rules.CONSENT_NOT_SOUGHT)
        self._require(all(attestations), rules.CONSENT_VALIDITY)
        not_after(given_on, uk_date(audit.occurred_at), "given_on", "today")
        freely, informed, withdrawable = attestations
        self._record(
            ConsentGiven(
                **self._header(audit),
                given_by=given_by,
                freely_given=freely,
                informed_of_who_and_why=informed,
                told_can_withdraw=withdrawable,
                given_on=given_on,
                notes=notes,
            )
        )

    def record_consent_refused(
        self, audit: AuditEnvelope, refused_on: date, notes: str | None
    ) -> None:
        self._require(self.state.consent_status is ConsentStatus.SOUGHT, rules.CONSENT_NOT_SOUGHT)
        not_after(refused_on, uk_date(audit.occurred_at), "refused_on", "today")
        self._record(ConsentRefused(**self._header(audit), refused_on=refused_on, notes=notes))

    def record_consent_withdrawn(
        self, audit: AuditEnvelope, withdrawn_on: date, notes: str | None
    ) -> None:
        self._require(self.state.consent_status is ConsentStatus.GIVEN, rules.CONSENT_NOT_GIVEN)
        not_after(withdrawn_on, uk_date(audit.occurred_at), "withdrawn_on", "today")
        self._record(
            ConsentWithdrawn(**self._header(audit), withdrawn_on=withdrawn_on, notes=notes)
        )

    def _consent_stage(self) -> ConsentStage:
        convened = self.state.strategy_meeting is not None
        return ConsentStage.PANEL if convened else ConsentStage.PRELIMINARY_ASSESSMENT

    def _governing_consent_decision(self) -> ConsentDecision | None:
        stage = self._consent_stage()
        decisions = [d for d in self.state.consent_decisions if d.stage is stage]
        return decisions[-1] if decisions else None
