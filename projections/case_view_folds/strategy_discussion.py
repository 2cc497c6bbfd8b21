"""The case view through the strategy discussion: scheduled, the referrer consulted, the risk
assessed, the Section 2 decision and its two signatures, the referrer told."""

from __future__ import annotations

from aggregates import exit_day
from events.strategy_discussion import (
    MashDecisionSigned,
    ReferrerConsulted,
    ReferrerNotified,
    RiskAssessmentRecorded,
    StrategyDiscussionConcluded,
    StrategyDiscussionScheduled,
)
from events.vocabulary import DiscussionOutcome, Forum
from projections.case_view import CaseView, ReferrerFeedback, Signature, Stage, StrategyDiscussion
from projections.case_view_folds.folding import ExitKind, Folds, exit_agreed

FOLDS = Folds()


@FOLDS.on(StrategyDiscussionScheduled)
def _discussion_scheduled(view: CaseView, event: StrategyDiscussionScheduled) -> CaseView:
    # Scheduled again: a new sitting, but what the referrer and the risk assessment gave stays.
    previous = view.strategy_discussion
    discussion = StrategyDiscussion(
        scheduled_for=event.scheduled_for,
        lead_officer=event.lead_officer,
        social_care_service=event.social_care_service,
        social_care_representative=event.social_care_representative,
        referrer_involvement=previous.referrer_involvement if previous else (),
        risk_assessments=previous.risk_assessments if previous else 0,
    )
    return view.model_copy(
        update={"strategy_discussion": discussion, "stage": Stage.STRATEGY_DISCUSSION}
    )


@FOLDS.on(ReferrerConsulted)
def _referrer_consulted(view: CaseView, event: ReferrerConsulted) -> CaseView:
    discussion = _discussion(view)
    if event.involvement in discussion.referrer_involvement:
        return view
    involvement = (*discussion.referrer_involvement, event.involvement)
    return _with_discussion(view, referrer_involvement=involvement)


@FOLDS.on(RiskAssessmentRecorded)
def _risk_assessed(view: CaseView, event: RiskAssessmentRecorded) -> CaseView:
    return _with_discussion(view, risk_assessments=event.assessment_no)


@FOLDS.on(StrategyDiscussionConcluded)
def _discussion_concluded(view: CaseView, event: StrategyDiscussionConcluded) -> CaseView:
    concluded = _with_discussion(
        view,
        outcome=event.outcome,
        vtr_category=event.vtr_category,
        concluded_at=event.timestamp,
    )
    return concluded.model_copy(update={"stage": Stage.AWAITING_SECTION_2_SIGNATURES})


@FOLDS.on(MashDecisionSigned)
def _signed(view: CaseView, event: MashDecisionSigned) -> CaseView:
    signature = Signature(
        capacity=event.capacity, signatory_id=event.audit.actor_id, signed_at=event.timestamp
    )
    signed = _with_discussion(view, signatures=(*_discussion(view).signatures, signature))
    discussion = _discussion(signed)
    if len(discussion.signatures) < 2:  # noqa: PLR2004 (Section 2 has two signature boxes)
        return signed
    # The second signature: the strategy discussion's decision takes effect.
    if discussion.outcome is DiscussionOutcome.VTR_APPROPRIATE:
        return signed.model_copy(update={"stage": Stage.AWAITING_STRATEGY_MEETING})
    kind: ExitKind = (
        "alternative_support"
        if discussion.outcome is DiscussionOutcome.ALTERNATIVE_SUPPORT
        else "conclusion"
    )
    return exit_agreed(signed, kind, Forum.STRATEGY_DISCUSSION, event, exit_day.of_section_2(event))


@FOLDS.on(ReferrerNotified)
def _referrer_notified(view: CaseView, event: ReferrerNotified) -> CaseView:
    feedback = ReferrerFeedback(
        feedback_point=event.feedback_point,
        notified_at=event.notified_at,
        notified_by=event.notified_by,
        method=event.method,
    )
    return view.model_copy(update={"referrer_feedback": (*view.referrer_feedback, feedback)})


def _discussion(view: CaseView) -> StrategyDiscussion:
    if view.strategy_discussion is None:
        raise TypeError("event needs a scheduled strategy discussion")
    return view.strategy_discussion


def _with_discussion(view: CaseView, **changes: object) -> CaseView:
    discussion = _discussion(view).model_copy(update=changes)
    return view.model_copy(update={"strategy_discussion": discussion})
