"""Commands of the conclusion of the process, post-exit reviews and disputes."""

from __future__ import annotations

from pydantic import Field, StrictInt

from commands.base import ChangeReferral, StaffRef
from events.forms import Narrative
from events.vocabulary import (
    DisputedDecision,
    DisputeOutcome,
)


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
