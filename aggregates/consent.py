"""Steps of consent (Appendix B): decided at two stages, then sought, given, refused, withdrawn.

"Before any agency/group seeks consent from the person of concern this must be discussed at
both the preliminary assessment and multi-agency panel stages and a decision made on whether
consent is to be sought and by whom." Each stage decides for itself: before the strategy
meeting the preliminary assessment's decision governs, from the meeting on the panel's.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import (
    Field,
    StrictBool,
)

from aggregates import rules
from aggregates.calendar import uk_date
from aggregates.errors import InvalidInstructionError
from aggregates.instructions import Instruction
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
from events.forms import (
    AgencyRef,
    Choices,
    Narrative,
)
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


class ConsentApproach(Instruction):
    """Decide at this stage whether consent is to be sought, and by which agency (App. B)."""

    stage: ConsentStage
    seek: StrictBool
    seeker_agency_id: UUID | None = None
    reasons_not_sought: Choices[ConsentNotSoughtReason] = Field(
        default_factory=list, max_length=len(ConsentNotSoughtReason)
    )
    notes: Narrative | None = None


class ConsentRequest(Instruction):
    """Consent is sought from the person, by the agency the discussion agreed (Appendix B)."""

    seeker_agency_id: UUID
    sought_on: date


class GivenConsent(Instruction):
    """Consent given, with the three Appendix B conditions of its validity attested."""

    given_by: ConsentGiver
    freely_given: StrictBool
    informed_of_who_and_why: StrictBool
    told_can_withdraw: StrictBool
    given_on: date
    notes: Narrative | None = None


class RefusedConsent(Instruction):
    """The person refused consent to sharing (Appendix B)."""

    refused_on: date
    notes: Narrative | None = None


class WithdrawnConsent(Instruction):
    """The person withdrew the consent they gave: sharing may no longer rely on it."""

    withdrawn_on: date
    notes: Narrative | None = None


class ConsentSteps(ReferralBase):
    """Whether to seek consent, and the consent itself."""

    def decide_consent_approach(
        self, audit: AuditEnvelope, approach: ConsentApproach, seeker: AgencyRef | None
    ) -> None:
        stages, allowed = DECISION_STAGES[approach.stage]
        self._require_stage(f"The {approach.stage} decision on consent", stages, allowed)
        if approach.seek and seeker is None:
            raise InvalidInstructionError("seeker_agency_id", "Say which agency will seek consent.")
        if not approach.seek and not approach.reasons_not_sought:
            raise InvalidInstructionError(
                "reasons_not_sought", "Give the Appendix B reasons why consent is not sought."
            )
        self._record(
            ConsentApproachDecided(
                **self._header(audit),
                stage=approach.stage,
                seek=approach.seek,
                seeker_agency=seeker if approach.seek else None,
                reasons_not_sought=()
                if approach.seek
                else tuple(dict.fromkeys(approach.reasons_not_sought)),
                notes=approach.notes,
            )
        )

    def seek_consent(
        self, audit: AuditEnvelope, request: ConsentRequest, seeker: AgencyRef
    ) -> None:
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
        not_after(request.sought_on, uk_date(audit.occurred_at), "sought_on", "today")
        self._record(
            ConsentSought(
                **self._header(audit),
                stage=self._consent_stage(),
                seeker_agency=seeker,
                sought_on=request.sought_on,
            )
        )

    def record_consent_given(self, audit: AuditEnvelope, consent: GivenConsent) -> None:
        self._require(self.state.consent_status is ConsentStatus.SOUGHT, rules.CONSENT_NOT_SOUGHT)
        self._require(
            consent.freely_given and consent.informed_of_who_and_why and consent.told_can_withdraw,
            rules.CONSENT_VALIDITY,
        )
        not_after(consent.given_on, uk_date(audit.occurred_at), "given_on", "today")
        self._record(
            ConsentGiven(
                **self._header(audit),
                given_by=consent.given_by,
                freely_given=consent.freely_given,
                informed_of_who_and_why=consent.informed_of_who_and_why,
                told_can_withdraw=consent.told_can_withdraw,
                given_on=consent.given_on,
                notes=consent.notes,
            )
        )

    def record_consent_refused(self, audit: AuditEnvelope, refusal: RefusedConsent) -> None:
        self._require(self.state.consent_status is ConsentStatus.SOUGHT, rules.CONSENT_NOT_SOUGHT)
        not_after(refusal.refused_on, uk_date(audit.occurred_at), "refused_on", "today")
        self._record(
            ConsentRefused(
                **self._header(audit), refused_on=refusal.refused_on, notes=refusal.notes
            )
        )

    def record_consent_withdrawn(self, audit: AuditEnvelope, withdrawal: WithdrawnConsent) -> None:
        self._require(self.state.consent_status is ConsentStatus.GIVEN, rules.CONSENT_NOT_GIVEN)
        not_after(withdrawal.withdrawn_on, uk_date(audit.occurred_at), "withdrawn_on", "today")
        self._record(
            ConsentWithdrawn(
                **self._header(audit), withdrawn_on=withdrawal.withdrawn_on, notes=withdrawal.notes
            )
        )

    def _consent_stage(self) -> ConsentStage:
        convened = self.state.strategy_meeting is not None
        return ConsentStage.PANEL if convened else ConsentStage.PRELIMINARY_ASSESSMENT

    def _governing_consent_decision(self) -> ConsentDecision | None:
        stage = self._consent_stage()
        decisions = [d for d in self.state.consent_decisions if d.stage is stage]
        return decisions[-1] if decisions else None
