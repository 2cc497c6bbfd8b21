"""The case view at the end of the process: concluded or referred to alternative support, and the
post-exit reviews."""

from __future__ import annotations

from datetime import date

from events.conclusion import PostExitReviewRecorded, ProcessConcluded, ReferredToAlternativeSupport
from events.vocabulary import PostExitReviewPoint
from projections.case_view import CaseView, Closure, PostExitReview, Stage
from projections.case_view_folds.folding import Folds

FOLDS = Folds()


@FOLDS.on(ProcessConcluded)
def _concluded(view: CaseView, event: ProcessConcluded) -> CaseView:
    closure = Closure(
        kind="concluded",
        forum=event.forum,
        closed_on=event.concluded_on,
        six_month_review_due_on=event.six_month_review_due_on,
        twelve_month_review_due_on=event.twelve_month_review_due_on,
    )
    return view.model_copy(update={"closure": closure, "stage": Stage.CONCLUDED})


@FOLDS.on(ReferredToAlternativeSupport)
def _referred_on(view: CaseView, event: ReferredToAlternativeSupport) -> CaseView:
    closure = Closure(
        kind="referred_to_alternative_support",
        forum=event.forum,
        closed_on=event.referred_on,
        support_provider=event.support_provider,
        six_month_review_due_on=event.six_month_review_due_on,
        twelve_month_review_due_on=event.twelve_month_review_due_on,
    )
    return view.model_copy(
        update={"closure": closure, "stage": Stage.REFERRED_TO_ALTERNATIVE_SUPPORT}
    )


@FOLDS.on(PostExitReviewRecorded)
def _post_exit_review(view: CaseView, event: PostExitReviewRecorded) -> CaseView:
    if view.closure is None:
        raise TypeError("a post-exit review needs a closed case")
    review = PostExitReview(
        review_point=event.review_point,
        reviewed_on=event.reviewed_on,
        outcome=event.outcome,
        early=event.reviewed_on < _due_on(view.closure, event.review_point),
        # Whether a reason was given, never the reason: it is sealed personal data.
        early_reason_recorded=event.early_reason is not None,
    )
    reviews = (*view.closure.post_exit_reviews, review)
    closure = view.closure.model_copy(update={"post_exit_reviews": reviews})
    return view.model_copy(update={"closure": closure})


def _due_on(closure: Closure, point: PostExitReviewPoint) -> date:
    if point is PostExitReviewPoint.SIX_MONTHS:
        return closure.six_month_review_due_on
    return closure.twelve_month_review_due_on
