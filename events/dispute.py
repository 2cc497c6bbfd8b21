"""Events of a dispute about a decision: raised, referred to the Head of Safeguarding and the
D/Superintendent, resolved (guidance section 7)."""

from __future__ import annotations

from events.base import DomainEvent
from events.personal import SubjectData
from events.vocabulary import (
    DisputedDecision,
    DisputeOutcome,
)


class DisputeRaised(DomainEvent):
    """Someone disputes a decision on the case (section 7)."""

    TOPIC = "vtr.referral.DisputeRaised"

    dispute_no: int
    disputed_decision: DisputedDecision
    grounds: SubjectData[str]


class DisputeReferred(DomainEvent):
    """The dispute went to the Head of Safeguarding and the D/Superintendent (section 7)."""

    TOPIC = "vtr.referral.DisputeReferred"

    dispute_no: int
    head_of_safeguarding: str
    detective_superintendent: str


class DisputeResolved(DomainEvent):
    TOPIC = "vtr.referral.DisputeResolved"

    dispute_no: int
    outcome: DisputeOutcome
    resolution: SubjectData[str]
