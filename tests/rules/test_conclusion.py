"""Conclusion of the process, alternative support and post-exit reviews (section 7, Appendix D)."""

from __future__ import annotations

from aggregates import rules
from aggregates.conclusion import AlternativeSupportReferral, Conclusion, PostExitReviewReport
from aggregates.intake import ScreeningOut
from aggregates.review import ReviewReport
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
    ReviewOutcome,
    ScreeningOutReason,
)
from tests.rules.actors import CHAIR, TRIAGE
from tests.rules.harness import Step, Turn, given, later, recorded
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


def post_exit(point: PostExitReviewPoint, early_reason: str | None = None) -> Step:
    return lambda case: case.referral.record_post_exit_review(
        case.by(CHAIR),
        PostExitReviewReport(
            review_point=point,
            reviewed_on=case.today,
            outcome=PostExitReviewOutcome.NO_FURTHER_CONCERN,
            notes=None,
            early_reason=early_reason,
        ),
    )


SIX_MONTHS_ON = later(days=190)  # past the 6-month review's due date
SIX, TWELVE = PostExitReviewPoint.SIX_MONTHS, PostExitReviewPoint.TWELVE_MONTHS


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
    given(*IN_SUPPORT).when(post_exit(SIX)).then_refused(rules.POST_EXIT_REVIEW_AFTER_EXIT)
    given(*CONCLUDED, SIX_MONTHS_ON).when(post_exit(TWELVE)).then_refused(
        rules.POST_EXIT_REVIEWS_IN_ORDER
    )
    given(*CONCLUDED, SIX_MONTHS_ON).when(post_exit(SIX)).then(
        recorded(PostExitReviewRecorded, review_point=SIX, early_reason=None)
    )
    six_done = given(*CONCLUDED, SIX_MONTHS_ON, post_exit(SIX))
    six_done.when(post_exit(SIX)).then_refused(rules.POST_EXIT_REVIEWS_IN_ORDER)
    given(*CONCLUDED, SIX_MONTHS_ON, post_exit(SIX), later(days=190)).when(post_exit(TWELVE)).then(
        recorded(PostExitReviewRecorded, review_point=TWELVE)
    )


def test_a_post_exit_review_before_it_is_due_needs_a_reason() -> None:
    """The reviews fall due 6 and 12 months after the exit (Appendix D): one recorded on the
    exit day is refused, unless marked early with why; a reason for a review that is not
    early is a contradiction."""
    given(*CONCLUDED).when(post_exit(SIX)).then_refused(rules.POST_EXIT_REVIEW_NOT_YET_DUE)
    given(*CONCLUDED, SIX_MONTHS_ON, post_exit(SIX)).when(post_exit(TWELVE)).then_refused(
        rules.POST_EXIT_REVIEW_NOT_YET_DUE
    )
    given(*CONCLUDED).when(post_exit(SIX, early_reason="The family moves abroad.")).then(
        recorded(PostExitReviewRecorded, review_point=SIX, early_reason="The family moves abroad.")
    )
    given(*CONCLUDED, SIX_MONTHS_ON).when(post_exit(SIX, early_reason="Why not.")).then_invalid(
        "early_reason"
    )


def test_the_exit_is_agreed_on_the_day_of_the_review_however_late_it_is_entered() -> None:
    """A review held three weeks ago and entered today agreed the exit on the day it was
    held: the conclusion may be dated that day, and the post-exit reviews count from it."""
    late_review = given(*IN_SUPPORT, later(days=35), back_dated_concluding_review(days=21))
    late_review.when(conclude_on(days=-21)).then(
        recorded(ProcessConcluded, concluded_on=late_review.turn().days_from_today(-21))
    )
    late_review.when(conclude_on(days=-22)).then_invalid("concluded_on")


def back_dated_concluding_review(days: int) -> Step:
    return lambda turn: turn.referral.hold_review(
        turn.by(CHAIR),
        ReviewReport(
            held_on=turn.days_from_today(-days),
            outcome=ReviewOutcome.CONCLUDE,
            progress_notes="progress",
        ),
    )


def conclude_on(days: int) -> Step:
    return lambda turn: turn.referral.conclude_process(
        turn.by(CHAIR), Conclusion(concluded_on=turn.days_from_today(days), note=None)
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
