"""What every step of the Referral aggregate shares: its state and guards."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import TypeVar
from uuid import UUID

from dateutil.relativedelta import relativedelta

from aggregates import rules
from aggregates.base import Aggregate
from aggregates.calendar import uk_date
from aggregates.errors import (
    InvalidInstructionError,
    ProcessRuleViolationError,
    Rule,
)
from aggregates.referral_evolution import evolve
from aggregates.referral_state import Dispute, ReferralState, Stage, StrategyDiscussion
from events.base import AuditEnvelope, DomainEvent
from events.forms import (
    ActionDescription,
    AgencyRef,
    PlannedAction,
    SupportAction,
)
from events.personal import groups_carried
from events.vocabulary import (
    AgeGroup,
    Role,
    SignatoryCapacity,
    SocialCareService,
)

Moment = TypeVar("Moment", date, datetime)
TRIAGE_STAGES = frozenset({Stage.TRIAGE, Stage.AWAITING_FURTHER_INFORMATION})
SIGNATORY_ROLES = {
    SignatoryCapacity.POLICE: Role.POLICE,
    SignatoryCapacity.CHILDRENS_SERVICES: Role.CHILDRENS_SERVICES,
    SignatoryCapacity.ADULT_SOCIAL_SERVICES: Role.ADULT_SOCIAL_SERVICES,
}
SERVICE_FOR_AGE = {
    AgeGroup.CHILD: SocialCareService.CHILDRENS_SERVICES,
    AgeGroup.ADULT: SocialCareService.ADULT_SOCIAL_SERVICES,
}


class ReferralBase(Aggregate):
    """State and the guards that every step of the process uses."""

    def __init__(self, state: ReferralState) -> None:
        super().__init__()
        self.state = state

    @property
    def id(self) -> UUID:
        return self.state.referral_id

    @property
    def version(self) -> int:
        return self.state.version

    def _record(self, event: DomainEvent) -> None:
        if self.state.erased_groups:
            erased = groups_carried(event) & set(self.state.erased_groups)
            self._require(not erased, rules.ERASED_DATA_NOT_RECAPTURED)
        super()._record(event)

    def _apply(self, event: DomainEvent) -> None:
        self.state = evolve(self.state, event)

    def _recipients(self) -> list[AgencyRef]:
        """Every agency that received information in this case, once each, in order."""
        recipients: dict[UUID, AgencyRef] = {}
        for disclosure in self.state.disclosures:
            for ref in disclosure.recipients:
                recipients.setdefault(ref.agency_id, ref)
        return list(recipients.values())

    def _require(self, condition: bool, rule: Rule) -> None:
        if not condition:
            raise ProcessRuleViolationError(rule, self.state.stage)

    def _require_stage(self, step: str, stages: Iterable[Stage], allowed: str) -> None:
        stage = self.state.stage
        self._require(stage in set(stages), rules.wrong_stage(step, stage, allowed))

    def _require_discussion_open(self, step: str) -> StrategyDiscussion:
        self._require_stage(
            step,
            {Stage.STRATEGY_DISCUSSION},
            "once the strategy discussion is scheduled and before it decides",
        )
        return self._discussion()

    def _discussion(self) -> StrategyDiscussion:
        assert self.state.strategy_discussion is not None  # noqa: S101 (implied by the stage)
        return self.state.strategy_discussion

    def _meeting_day(self) -> date:
        assert self.state.strategy_meeting is not None  # noqa: S101 (implied by the stage)
        return uk_date(self.state.strategy_meeting.meeting_at)

    def _dispute(self, dispute_no: int) -> Dispute:
        for dispute in self.state.disputes:
            if dispute.dispute_no == dispute_no:
                return dispute
        raise InvalidInstructionError(
            "dispute_no", f"This referral has no dispute number {dispute_no}."
        )


def acts_for(audit: AuditEnvelope, agency: AgencyRef) -> bool:
    """Whether the actor acts for `agency`: by the directory's id, never by a name that a
    look-alike could share."""
    return audit.actor_agency_id == agency.agency_id


def signature_box(capacity: SignatoryCapacity) -> str:
    """Section 2 has two boxes: police, and social care (children's or adult)."""
    return "police" if capacity is SignatoryCapacity.POLICE else "social_care"


def number_actions(
    actions: Sequence[SupportAction],
) -> tuple[tuple[PlannedAction, ...], tuple[ActionDescription, ...]]:
    plan = tuple(
        PlannedAction(action_no=number, lead_agency=action.lead_agency, due_on=action.due_on)
        for number, action in enumerate(actions, start=1)
    )
    descriptions = tuple(
        ActionDescription(action_no=number, description=action.description)
        for number, action in enumerate(actions, start=1)
    )
    return plan, descriptions


def post_exit_review_days(exit_day: date) -> tuple[date, date]:
    return exit_day + relativedelta(months=6), exit_day + relativedelta(months=12)


def business_day(audit: AuditEnvelope) -> date:
    return uk_date(audit.occurred_at)


def not_after(value: Moment, limit: Moment, field: str, what: str) -> None:
    if value > limit:
        raise InvalidInstructionError(field, f"{field} cannot be later than {what}.")


def not_before(value: date, limit: date, field: str, what: str) -> None:
    if value < limit:
        raise InvalidInstructionError(field, f"{field} cannot be earlier than {what}.")


def must_follow(value: date | None, limit: date, field: str, what: str) -> None:
    if value is None or value <= limit:
        raise InvalidInstructionError(field, f"{field} is required and must be after {what}.")
