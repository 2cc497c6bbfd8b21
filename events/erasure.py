"""Events of erasure by key destruction and of retention review.

`ErasureExecuted` is metadata only: who erased what scope of which case, when, on what
ground, which data keys were destroyed and which recipients must be told (UK GDPR Art 19).
It never names or describes the erased data.

The reasons of a request and of a review are the controller's reasoning: sealed under the
case's controller key, which no erasure destroys (version 1 sealed them under the subject's).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from events.base import DomainEvent
from events.forms import AgencyRef
from events.personal import ControllerData, KeyGroup, reasoning_moved_to_the_controllers_key
from events.vocabulary import ErasureGround, RecordClass, RetentionDecision


class ErasureRequested(DomainEvent):
    """A compliance officer asked for the case's personal data of these key groups to go."""

    TOPIC = "vtr.referral.ErasureRequested"
    class_version = 2

    request_no: int
    key_groups: tuple[KeyGroup, ...]
    ground: ErasureGround
    reason: ControllerData[str]

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        reasoning_moved_to_the_controllers_key(state)


class ErasureApproved(DomainEvent):
    """A second person, not the requester, approved the erasure."""

    TOPIC = "vtr.referral.ErasureApproved"

    request_no: int


class ErasureExecuted(DomainEvent):
    """The data keys of the groups were destroyed: their sealed fields are gone for good."""

    TOPIC = "vtr.referral.ErasureExecuted"

    request_no: int
    key_groups: tuple[KeyGroup, ...]
    key_ids: tuple[str, ...]
    ground: ErasureGround
    requested_by: str
    approved_by: str
    recipients_to_notify: tuple[AgencyRef, ...]


class RetentionReviewed(DomainEvent):
    """The case's record was reviewed under the retention schedule: kept (until when), or
    to be erased (which raises an erasure request that still needs approval)."""

    TOPIC = "vtr.referral.RetentionReviewed"
    EFFECTIVE = "reviewed_on"
    class_version = 2

    review_no: int
    record_class: RecordClass
    reviewed_on: date
    decision: RetentionDecision
    next_review_on: date | None
    reason: ControllerData[str]

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        reasoning_moved_to_the_controllers_key(state)
