"""How information-sharing events change a referral's state (part of the one fold)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aggregates.referral_state import ConsentDecision, DisclosureSummary, ReferralState
from events.base import DomainEvent
from events.consent import (
    ConsentApproachDecided,
    ConsentGiven,
    ConsentRefused,
    ConsentSought,
    ConsentWithdrawn,
)
from events.sharing import (
    AgencyInvitedToStrategyMeeting,
    ConfidentialityStatementRead,
    DisclosureWithheld,
    InformationDisclosed,
    OnwardDisclosureSanctioned,
    SubjectDiscussionDecided,
)
from events.vocabulary import ConsentStatus


def _consent_decided(event: ConsentApproachDecided, state: ReferralState) -> None:
    seeker = event.seeker_agency.agency_id if event.seeker_agency else None
    state.consent_decisions.append(
        ConsentDecision(
            stage=event.stage,
            seek=event.seek,
            seeker_agency_id=seeker,
            decided_at=event.audit.occurred_at,
        )
    )


def _consent(status: ConsentStatus) -> Callable[[DomainEvent, ReferralState], None]:
    def change(_event: DomainEvent, state: ReferralState) -> None:
        state.consent_status = status

    return change


def _invited(event: AgencyInvitedToStrategyMeeting, state: ReferralState) -> None:
    state.invited_agencies.append(event.agency)


def _statement_read(event: ConfidentialityStatementRead, state: ReferralState) -> None:
    if state.strategy_meeting is not None:
        state.strategy_meeting.statement_read = event.statement_version


def _disclosed(event: InformationDisclosed, state: ReferralState) -> None:
    state.disclosures.append(
        DisclosureSummary(
            disclosure_no=event.disclosure_no,
            disclosing_agency=event.disclosing_agency,
            recipients=list(event.recipients),
            context=event.context,
            information_category=event.information_category,
            disclosed_at=event.disclosed_at,
        )
    )


def _withheld(_event: DisclosureWithheld, state: ReferralState) -> None:
    state.withheld += 1


def _onward(event: OnwardDisclosureSanctioned, state: ReferralState) -> None:
    state.disclosures[event.disclosure_no - 1].onward_sanctioned = True


def _subject_discussion(event: SubjectDiscussionDecided, state: ReferralState) -> None:
    state.disclosures[event.disclosure_no - 1].subject_discussion = event.decision


SHARING_HANDLERS: dict[type[Any], Callable[[Any, ReferralState], None]] = {
    ConsentApproachDecided: _consent_decided,
    ConsentSought: _consent(ConsentStatus.SOUGHT),
    ConsentGiven: _consent(ConsentStatus.GIVEN),
    ConsentRefused: _consent(ConsentStatus.REFUSED),
    ConsentWithdrawn: _consent(ConsentStatus.WITHDRAWN),
    AgencyInvitedToStrategyMeeting: _invited,
    ConfidentialityStatementRead: _statement_read,
    InformationDisclosed: _disclosed,
    DisclosureWithheld: _withheld,
    OnwardDisclosureSanctioned: _onward,
    SubjectDiscussionDecided: _subject_discussion,
}
