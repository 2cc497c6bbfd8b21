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
    """The VTR process concluded: agreed at a strategy meeting or review that it no longer applies
    (section 7)."""

    concluded_on: date
    note: Narrative | None = None


class ReferToAlternativeSupport(ChangeReferral):
    """Referred to another support mechanism instead of the VTR process."""

    referred_on: date
    support_provider: Line
    rationale: Narrative | None = None


class RecordPostExitReview(ChangeReferral):
    """The review of the panel decision at 6 or 12 months after exit (Appendix D)."""

    review_point: PostExitReviewPoint
    reviewed_on: date
    outcome: PostExitReviewOutcome
    notes: Narrative | None = None


class RaiseDispute(ChangeReferral):
    """A disagreement with a decision on the case, to be referred under section 7."""

    disputed_decision: DisputedDecision
    grounds: Narrative


class ReferDispute(ChangeReferral):
    """Refer a dispute to the Head of Safeguarding and the D/Superintendent (section 7)."""

    dispute_no: StrictInt = Field(ge=1)
    head_of_safeguarding: StaffRef
    detective_superintendent: StaffRef


class ResolveDispute(ChangeReferral):
    """Record how the Head of Safeguarding and the D/Superintendent resolved a dispute."""

    dispute_no: StrictInt = Field(ge=1)
    outcome: DisputeOutcome
    resolution: Narrative
