"""Conclusion of the process, alternative support and post-exit reviews (section 7, Appendix D)."""

from __future__ import annotations

from aggregates import rules
from aggregates.conclusion import AlternativeSupportReferral, Conclusion, PostExitReviewReport
from aggregates.intake import ScreeningOut
from aggregates.strategy_discussion import ReferrerNotice
from events.conclusion import PostExitReviewRecorded, ProcessConcluded, ReferredToAlternativeSupport
from events.strategy_discussion import ReferrerNotified
from events.vocabulary import (
    ContactMethod,
    DiscussionOutcome,
    FeedbackPoint,
    Forum,
    PostExitReviewOutcome,
    PostExitReviewPoint,
    ScreeningOutReason,
)
from tests.rules.actors import CHAIR, TRIAGE
from tests.rules.harness import Step, Turn, given, recorded
from tests.rules.histories import (
    CHILDRENS_SIGNED,
    CONCLUDED,
    EXIT_AGREED,
    IN_SUPPORT,
    POLICE_SIGNED,
    READY_TO_DECIDE,
    discussion_decided,
    dispute_raised,
    process_concluded,
    security_checked,
)


def to_alternative_support(case: Turn) -> None:
    case.referral.refer_to_alternative_support(
        case.by(TRIAGE),
        AlternativeSupportReferral(
            referred_on=case.today, support_provider="Early Help", rationale=None
        ),
    )


def post_exit(point: PostExitReviewPoint) -> Step:
    return lambda case: case.referral.record_post_exit_review(
        case.by(CHAIR),
        PostExitReviewReport(
            review_point=point,
            reviewed_on=case.today,
            outcome=PostExitReviewOutcome.NO_FURTHER_CONCERN,
            notes=None,
        ),
    )


def test_the_process_concludes_once_agreed_not_applicable() -> None:
    """ "A person will no longer be categorised as a VTR when it has been agreed at the strategy
    meeting or the case conference that the VTR process is not applicable" (section 7)."""
    (event,) = (
        given(*EXIT_AGREED)
        .when(process_concluded)
        .then(recorded(ProcessConcluded, forum=Forum.REVIEW))
    )
    assert event.six_month_review_due_on.month == 10  # type: ignore[attr-defined]
    given(*IN_SUPPORT).when(process_concluded).then_refused(rules.NO_EXIT_AGREED)


def test_no_conclusion_while_a_dispute_is_open() -> None:
    """ "In the event of any dispute, the matter will be referred to Head of Safeguarding and
    D/Superintendent" (section 7): the process is not concluded while it is unresolved."""
    given(*EXIT_AGREED, dispute_raised).when(process_concluded).then_refused(
        rules.NO_CONCLUSION_WITH_OPEN_DISPUTE
    )


def test_alternative_support_needs_a_decision_for_it() -> None:
    """The flow chart refers a person to "alternative support mechanism[s]" from the strategy
    discussion or meeting, or after screening (Appendix D, section 5); not otherwise."""
    given(*EXIT_AGREED).when(to_alternative_support).then_refused(
        rules.NO_ALTERNATIVE_SUPPORT_AGREED
    )
    alternative = (*READY_TO_DECIDE, discussion_decided(DiscussionOutcome.ALTERNATIVE_SUPPORT))
    given(*alternative, POLICE_SIGNED).when(to_alternative_support).then_refused(
        rules.NO_ALTERNATIVE_SUPPORT_AGREED
    )
    given(*alternative, POLICE_SIGNED, CHILDRENS_SIGNED).when(to_alternative_support).then(
        recorded(
            ReferredToAlternativeSupport,
            forum=Forum.STRATEGY_DISCUSSION,
            support_provider="Early Help",
        )
    )


def test_a_screened_out_referral_can_go_to_alternative_support() -> None:
    """A referral that does not continue through the VTR process (section 5) stays on record
    and may be referred to alternative support (Appendix D)."""
    screened_out = given(
        security_checked,
        lambda case: case.referral.screen_out(
            case.by(TRIAGE),
            ScreeningOut(reasons=[ScreeningOutReason.NOT_VULNERABLE], other_reason=None),
        ),
    )
    screened_out.when(to_alternative_support).then(
        recorded(ReferredToAlternativeSupport, forum=Forum.MASH_TRIAGE)
    )


def test_the_referrer_gets_feedback_on_the_conclusion() -> None:
    """ "Feedback will be provided to the original referrer" at the conclusion (section 7):
    once the process has concluded."""

    def notify(case: Turn) -> None:
        case.referral.notify_referrer(
            case.by(TRIAGE),
            ReferrerNotice(
                feedback_point=FeedbackPoint.CONCLUSION,
                notified_at=case.at,
                notified_person="Referrer",
                notified_by="t",
                method=ContactMethod.EMAIL,
            ),
        )

    given(*IN_SUPPORT).when(notify).then_refused(rules.FEEDBACK_AFTER_CONCLUSION)
    given(*CONCLUDED).when(notify).then(
        recorded(ReferrerNotified, feedback_point=FeedbackPoint.CONCLUSION)
    )


def test_post_exit_reviews_at_6_then_12_months() -> None:
    """ "Review panel decisions at 6 and 12 months" (Appendix D): after an exit, in order, once
    each."""
    given(*IN_SUPPORT).when(post_exit(PostExitReviewPoint.SIX_MONTHS)).then_refused(
        rules.POST_EXIT_REVIEW_AFTER_EXIT
    )
    given(*CONCLUDED).when(post_exit(PostExitReviewPoint.TWELVE_MONTHS)).then_refused(
        rules.POST_EXIT_REVIEWS_IN_ORDER
    )
    given(*CONCLUDED).when(post_exit(PostExitReviewPoint.SIX_MONTHS)).then(
        recorded(PostExitReviewRecorded, review_point=PostExitReviewPoint.SIX_MONTHS)
    )
    six_done = given(*CONCLUDED, post_exit(PostExitReviewPoint.SIX_MONTHS))
    six_done.when(post_exit(PostExitReviewPoint.SIX_MONTHS)).then_refused(
        rules.POST_EXIT_REVIEWS_IN_ORDER
    )


def test_the_exit_day_falls_between_the_decision_and_today() -> None:
    """The process concludes, or the person is referred to alternative support, on a day from
    the decision to exit (section 7) up to today."""
    agreed = given(*EXIT_AGREED)
    for day in (-1, 1):
        agreed.when(
            lambda case, day=day: case.referral.conclude_process(  # type: ignore[misc]
                case.by(CHAIR), Conclusion(concluded_on=case.days_from_today(day), note=None)
            )
        ).then_invalid("concluded_on")
