"""PREVENT reviews of the support package (section 5, Appendix D "Review progress")."""

from __future__ import annotations

from datetime import timedelta

from aggregates import rules
from aggregates.review import ReviewReport
from events.review import ReviewHeld
from events.vocabulary import ReviewOutcome
from tests.rules.actors import CHAIR
from tests.rules.harness import Step, given, later, recorded
from tests.rules.histories import CONCLUDED, IN_SUPPORT, MENTORING


def review(outcome: ReviewOutcome, next_in: int | None, *, amended: bool = False) -> Step:
    return lambda case: case.referral.hold_review(
        case.by(CHAIR),
        ReviewReport(
            held_on=case.today,
            outcome=outcome,
            next_review_on=case.days_from_today(next_in) if next_in is not None else None,
            amended_actions=(MENTORING,) if amended else None,
            progress_notes="progress",
        ),
    )


def test_a_review_agrees_the_next_review() -> None:
    """ "A review meeting date will be agreed by those present with an appropriate timescale"
    (section 5): a continuing review sets the next one, a concluding review none."""
    due = given(*IN_SUPPORT, later(days=35))
    due.when(review(ReviewOutcome.CONTINUE, 35)).then(
        recorded(ReviewHeld, review_no=1, outcome=ReviewOutcome.CONTINUE)
    )
    due.when(review(ReviewOutcome.CONTINUE, None)).then_invalid("next_review_on")
    due.when(review(ReviewOutcome.CONTINUE, 0)).then_invalid("next_review_on")
    due.when(review(ReviewOutcome.CONCLUDE, 30)).then_invalid("next_review_on")


def test_an_amended_plan_gives_its_actions() -> None:
    """Reviews "review progress" of the action plan (Appendix D): amended actions are given
    exactly when the plan is amended."""
    due = given(*IN_SUPPORT, later(days=35))
    (event,) = due.when(review(ReviewOutcome.AMEND_PLAN, 30, amended=True)).then(
        recorded(ReviewHeld, outcome=ReviewOutcome.AMEND_PLAN)
    )
    assert event.amended_action_plan is not None  # type: ignore[attr-defined]
    due.when(review(ReviewOutcome.AMEND_PLAN, 30)).then_invalid("amended_actions")
    due.when(review(ReviewOutcome.CONTINUE, 30, amended=True)).then_invalid("amended_actions")


def test_a_review_is_held_between_the_meeting_and_today() -> None:
    """A review follows the strategy meeting (section 5) and is recorded once held."""
    given(*IN_SUPPORT).when(
        lambda case: case.referral.hold_review(
            case.by(CHAIR),
            ReviewReport(
                held_on=case.today + timedelta(days=1),
                outcome=ReviewOutcome.CONTINUE,
                next_review_on=case.days_from_today(30),
                progress_notes="progress",
            ),
        )
    ).then_invalid("held_on")


def test_reviews_happen_while_support_is_delivered() -> None:
    """Reviews belong to the "delivery of support" (Appendix D); a concluded case has none."""
    given(*CONCLUDED).when(review(ReviewOutcome.CONTINUE, 30)).then_refused(
        rules.wrong_stage("Holding a review", "concluded", "while support is delivered")
    )


def test_a_review_date_outside_4_to_6_weeks_is_kept_with_its_reason() -> None:
    """ "In the region of 4-6 weeks" (section 5): a date outside it is accepted (the worklist
    warns), with the meeting's reason kept if it gives one; a reason needs a date."""
    due = given(*IN_SUPPORT, later(days=35))
    reason = "The family is away for the summer."

    def with_reason(next_in: int | None) -> Step:
        return lambda case: case.referral.hold_review(
            case.by(CHAIR),
            ReviewReport(
                held_on=case.today,
                outcome=ReviewOutcome.CONTINUE if next_in else ReviewOutcome.CONCLUDE,
                next_review_on=case.days_from_today(next_in) if next_in else None,
                progress_notes="progress",
                review_date_reason=reason,
            ),
        )

    due.when(with_reason(70)).then(recorded(ReviewHeld, review_date_reason=reason))
    due.when(review(ReviewOutcome.CONTINUE, 70)).then(recorded(ReviewHeld, review_date_reason=None))
    due.when(with_reason(None)).then_invalid("review_date_reason")
