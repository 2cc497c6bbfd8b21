"""Commands of the conclusion of the process, post-exit reviews and disputes."""

from __future__ import annotations

from datetime import date

from pydantic import Field, StrictInt

from commands.base import ChangeReferral, StaffRef
from events.forms import Line, Narrative
from events.vocabulary import (
    DisputedDecision,
    DisputeOutcome,
    PostExitReviewOutcome,
    PostExitReviewPoint,
)


class ConcludeProcess(ChangeReferral):
    concluded_on: date
    note: Narrative | None = None


class ReferToAlternativeSupport(ChangeReferral):
    referred_on: date
    support_provider: Line
    rationale: Narrative | None = None


class RecordPostExitReview(ChangeReferral):
    review_point: PostExitReviewPoint
    reviewed_on: date
    outcome: PostExitReviewOutcome
    notes: Narrative | None = None


class RaiseDispute(ChangeReferral):
    disputed_decision: DisputedDecision
    grounds: Narrative


class ReferDispute(ChangeReferral):
    dispute_no: StrictInt = Field(ge=1)
    head_of_safeguarding: StaffRef
    detective_superintendent: StaffRef


class ResolveDispute(ChangeReferral):
    dispute_no: StrictInt = Field(ge=1)
    outcome: DisputeOutcome
    resolution: Narrative
