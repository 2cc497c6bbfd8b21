"""The case view through the reviews of the support package."""

from __future__ import annotations

from aggregates import exit_day
from events.review import ReviewHeld
from events.vocabulary import Forum, ReviewOutcome
from projections.case_view import CaseView, Review
from projections.case_view_folds.folding import Folds, action_plan, exit_agreed

FOLDS = Folds()


@FOLDS.on(ReviewHeld)
def _review_held(view: CaseView, event: ReviewHeld) -> CaseView:
    amended = event.amended_action_plan
    review = Review(
        review_no=event.review_no,
        held_on=event.held_on,
        outcome=event.outcome,
        next_review_on=event.next_review_on,
        action_plan_amended=amended is not None,
    )
    reviewed = view.model_copy(
        update={
            "reviews": (*view.reviews, review),
            "action_plan": view.action_plan if amended is None else action_plan(amended),
            "next_review_on": event.next_review_on,
        }
    )
    if event.outcome is ReviewOutcome.CONCLUDE:
        return exit_agreed(reviewed, "conclusion", Forum.REVIEW, event, exit_day.of_review(event))
    return reviewed
