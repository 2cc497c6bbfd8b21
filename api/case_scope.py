"""What an agency practitioner sees of a case: only what their agency disclosed or received,
what concerns their agency, and what they did themselves (section 3: need to know)."""

from __future__ import annotations

from collections.abc import Iterable

from aggregates.referral_state import ReferralState
from events.base import DomainEvent
from events.disposal import (
    AgencyInvolvementEnded,
    AgencyInvolvementEndProposed,
    DisposalObligationRaised,
)
from events.sharing import (
    AgencyInvitedToStrategyMeeting,
    DisclosureWithheld,
    InformationDisclosed,
    SubjectDiscussionDecided,
)
from projections.case_view import CaseView


def agency_view(case: CaseView, agency: str) -> CaseView:
    """The case as `agency` may see it: other agencies' disclosures and obligations left out."""
    state: ReferralState = case.state.model_copy(deep=True)
    state.disclosures = [
        d
        for d in state.disclosures
        if agency == d.disclosing_agency.name or agency in {r.name for r in d.recipients}
    ]
    state.obligations = [o for o in state.obligations if o.agency.name == agency]
    return case.model_copy(update={"state": state})


def agency_events(
    events: Iterable[tuple[int, DomainEvent]], agency: str
) -> list[tuple[int, DomainEvent]]:
    return [(position, event) for position, event in events if concerns(event, agency)]


def concerns(event: DomainEvent, agency: str) -> bool:
    """Whether the event is the agency's own act, or about what it shares or holds."""
    if event.audit.actor_agency == agency:
        return True
    if isinstance(event, InformationDisclosed):
        return agency in {event.disclosing_agency.name, *(r.name for r in event.recipients)}
    if isinstance(event, DisclosureWithheld):
        requesting = event.requesting_agency.name if event.requesting_agency else None
        return agency in {event.withholding_agency.name, requesting}
    if isinstance(
        event,
        AgencyInvitedToStrategyMeeting
        | AgencyInvolvementEnded
        | AgencyInvolvementEndProposed
        | DisposalObligationRaised,
    ):
        return event.agency.name == agency
    if isinstance(event, SubjectDiscussionDecided):
        return event.owner_agency.name == agency
    return False
