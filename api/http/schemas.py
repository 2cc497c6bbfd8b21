"""The shapes of API responses (requests are the command objects themselves)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any
from uuid import UUID

from annotated_types import Ge, Le
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from commands.context import Outcome
from events.base import DomainEvent
from events.vocabulary import ContactMethod, FeedbackPoint, Role
from projections.case_view import CaseSummary, CaseView

EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2999, 12, 31)
# Days and moments a query may name: bounded, so a period such as `to=9999-12-31` is a
# clear 422 rather than an arithmetic overflow half-way through an answer.
Day = Annotated[date, Ge(EARLIEST_DAY), Le(LATEST_DAY)]
Moment = Annotated[
    AwareDatetime,
    Ge(datetime(1900, 1, 1, tzinfo=UTC)),
    Le(datetime(2999, 12, 31, tzinfo=UTC)),
]


class CommandAccepted(BaseModel):
    referral_id: UUID
    version: int = Field(description="The referral's version after this change.")
    position: int = Field(
        description="Log position of the last event recorded; pass it as `after_position` "
        "when reading the case to see your own change."
    )
    events: list[str]
    replayed: bool = Field(description="True when this answers a retry of an earlier command.")

    @classmethod
    def of(cls, outcome: Outcome) -> CommandAccepted:
        return cls(
            referral_id=outcome.aggregate_id,
            version=outcome.version,
            position=outcome.position,
            events=list(outcome.events),
            replayed=outcome.replayed,
        )


class ProjectionStatus(BaseModel):
    position: int = Field(description="The last log position reflected in the view.")
    log_position: int = Field(description="The last position recorded in the log.")
    caught_up: bool


class CaseList(BaseModel):
    items: list[CaseSummary]
    total: int
    limit: int
    offset: int
    projection: ProjectionStatus


class CaseDetail(BaseModel):
    case: CaseView = Field(
        description="The case view (versioned: see `schema_version`), as your agency may see it."
    )
    projection: ProjectionStatus


class HistoryEntry(BaseModel):
    position: int
    version: int
    event: str
    topic: str
    class_version: int
    occurred_at: datetime
    actor_id: str
    actor_role: Role
    actor_agency: str
    command_id: UUID
    data: dict[str, Any] = Field(
        description="The event's fields; personal data shows as withheld unless revealed."
    )

    @classmethod
    def of(cls, position: int, event: DomainEvent) -> HistoryEntry:
        audit = event.audit
        return cls(
            position=position,
            version=event.originator_version,
            event=type(event).__name__,
            topic=event.TOPIC,
            class_version=event.class_version,
            occurred_at=audit.occurred_at,
            actor_id=audit.actor_id,
            actor_role=audit.actor_role,
            actor_agency=audit.actor_agency,
            command_id=audit.command_id,
            data=event.model_dump(
                mode="json", exclude={"originator_id", "originator_version", "audit"}
            ),
        )


class FeedbackGiven(BaseModel):
    feedback_point: FeedbackPoint
    notified_at: datetime
    method: ContactMethod


class ReferrerFeedbackRecord(BaseModel):
    """The outcome feedback a referrer was given on their referral."""

    referral_id: UUID
    reference: str
    received_at: datetime
    feedback: list[FeedbackGiven]


class History(BaseModel):
    referral_id: UUID
    revealed: bool
    events: list[HistoryEntry]


class FieldError(BaseModel):
    field: str = Field(description="Where: `body.subject.full_name`, `query.to`, ...")
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem (`application/problem+json`). Refusals by a rule carry its `rule`
    code (and the process `stage`); invalid input names each field in `errors`."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="`urn:vtr-ledger:problem:<slug>`.")
    title: str
    status: int
    detail: str
    rule: str | None = Field(default=None, description="The rule that refused the request.")
    stage: str | None = None
    errors: list[FieldError] | None = None
    refused_attempt_id: UUID | None = Field(
        default=None, description="The record of a refused disclosure or invitation."
    )
    expected_version: int | None = None
    current_version: int | None = None
