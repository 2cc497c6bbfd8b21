"""Steps that end the process and review it afterwards (section 7, Appendix D)."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from aggregates import rules
from aggregates.calendar import uk_date
from aggregates.disposal import DisposalSteps
from aggregates.errors import InvalidInstructionError, ProcessRuleViolationError
from aggregates.instructions import Instruction
from aggregates.referral_base import (
    business_day,
    not_after,
    not_before,
    post_exit_review_days,
)
from aggregates.referral_state import Stage
from events.base import AuditEnvelope
from events.conclusion import PostExitReviewRecorded, ProcessConcluded, ReferredToAlternativeSupport
from events.forms import Line, Narrative
from events.vocabulary import (
    Forum,
    InvolvementEndReason,
    PostExitReviewOutcome,
    PostExitReviewPoint,
)


class PostExitReviewReport(Instruction):
    """The review of the panel decision at 6 or 12 months after exit (Appendix D)."""

    review_point: PostExitReviewPoint
    reviewed_on: date
    outcome: PostExitReviewOutcome
    notes: Narrative | None = None
    early_reason: Narrative | None = Field(
        default=None,
        description="Why the review was held before it was due; required if it was.",
    )


class Conclusion(Instruction):
    """The VTR process concluded: agreed at a strategy meeting or review that it no longer applies
    (section 7)."""

    concluded_on: date
    note: Narrative | None = None


class AlternativeSupportReferral(Instruction):
    """Referred to another support mechanism instead of the VTR process."""

    referred_on: date
    support_provider: Line
    rationale: Narrative | None = None


class ConclusionSteps(DisposalSteps):
    """Conclusion, alternative support and post-exit reviews.

    Every exit proposes ending the involvement of the agencies that received information."""

    def conclude_process(self, audit: AuditEnvelope, conclusion: Conclusion) -> None:
        route = self.state.exit_route
        agreed = self.state.stage is Stage.EXIT_AGREED and route is not None
        self._require(agreed, rules.NO_EXIT_AGREED)
        self._require(self.state.open_dispute is None, rules.NO_CONCLUSION_WITH_OPEN_DISPUTE)
        assert route is not None  # noqa: S101 (checked by the rule above)
        self._check_exit_day(conclusion.concluded_on, route.agreed_on, audit, "concluded_on")
        six, twelve = post_exit_review_days(conclusion.concluded_on)
        self._record(
            ProcessConcluded(
                **self._header(audit),
                forum=route.forum,
                concluded_on=conclusion.concluded_on,
                six_month_review_due_on=six,
                twelve_month_review_due_on=twelve,
                note=conclusion.note,
            )
        )
        self._propose_end_of_involvement(audit, InvolvementEndReason.PROCESS_CONCLUDED)

    def refer_to_alternative_support(
        self, audit: AuditEnvelope, alternative: AlternativeSupportReferral
    ) -> None:
        forum, agreed_on = self._alternative_support_decision()
        self._require(self.state.open_dispute is None, rules.NO_CONCLUSION_WITH_OPEN_DISPUTE)
        self._check_exit_day(alternative.referred_on, agreed_on, audit, "referred_on")
        six, twelve = post_exit_review_days(alternative.referred_on)
        self._record(
            ReferredToAlternativeSupport(
                **self._header(audit),
                forum=forum,
                referred_on=alternative.referred_on,
                support_provider=alternative.support_provider,
                six_month_review_due_on=six,
                twelve_month_review_due_on=twelve,
                rationale=alternative.rationale,
            )
        )
        self._propose_end_of_involvement(
            audit, InvolvementEndReason.REFERRED_TO_ALTERNATIVE_SUPPORT
        )

    def _alternative_support_decision(self) -> tuple[Forum, date]:
        route = self.state.exit_route
        if self.state.stage is Stage.ALTERNATIVE_SUPPORT_AGREED and route is not None:
            return route.forum, route.agreed_on
        screening = self.state.screening
        if self.state.stage is Stage.SCREENED_OUT and screening is not None:
            return Forum.MASH_TRIAGE, uk_date(screening.decided_at)
        raise ProcessRuleViolationError(rules.NO_ALTERNATIVE_SUPPORT_AGREED, self.state.stage)

    def _check_exit_day(self, day: date, agreed_on: date, audit: AuditEnvelope, field: str) -> None:
        not_before(day, agreed_on, field, "the decision to exit")
        not_after(day, business_day(audit), field, "today")

    def record_post_exit_review(self, audit: AuditEnvelope, review: PostExitReviewReport) -> None:
        closure = self.state.closure
        self._require(closure is not None, rules.POST_EXIT_REVIEW_AFTER_EXIT)
        assert closure is not None  # noqa: S101 (checked by the rule above)
        done = [review.review_point for review in self.state.post_exit_reviews]
        expected = (
            list(PostExitReviewPoint)[len(done)] if len(done) < len(PostExitReviewPoint) else None
        )
        self._require(review.review_point is expected, rules.POST_EXIT_REVIEWS_IN_ORDER)
        not_before(review.reviewed_on, closure.closed_on, "reviewed_on", "the exit")
        not_after(review.reviewed_on, business_day(audit), "reviewed_on", "today")
        due = (
            closure.six_month_review_due_on
            if review.review_point is PostExitReviewPoint.SIX_MONTHS
            else closure.twelve_month_review_due_on
        )
        early = review.reviewed_on < due
        self._require(
            not early or review.early_reason is not None, rules.POST_EXIT_REVIEW_NOT_YET_DUE
        )
        if not early and review.early_reason is not None:
            raise InvalidInstructionError(
                "early_reason", f"The review was due on {due.isoformat()}: it is not early."
            )
        self._record(
            PostExitReviewRecorded(
                **self._header(audit),
                review_point=review.review_point,
                reviewed_on=review.reviewed_on,
                outcome=review.outcome,
                notes=review.notes,
                early_reason=review.early_reason,
            )
        )
