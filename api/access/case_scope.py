"""What an agency practitioner sees of a case: only what their agency disclosed or received,
what concerns their agency, and what they did themselves (section 3: need to know).

Agencies are told apart by their directory id, never by name: a look-alike agency with a
similar (or, before names were unique, the same) name sees nothing of another's.
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

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


def agency_view(case: CaseView, agency_id: UUID) -> CaseView:
    """The case as the agency may see it: other agencies' disclosures and obligations left out."""
    return case.model_copy(
        update={
            "disclosures": tuple(
                disclosure
                for disclosure in case.disclosures
                if agency_id == disclosure.disclosing_agency.agency_id
                or agency_id in {recipient.agency_id for recipient in disclosure.recipients}
            ),
            "obligations": tuple(
                obligation
                for obligation in case.obligations
                if obligation.agency.agency_id == agency_id
            ),
        }
    )


def agency_events(
    events: Iterable[tuple[int, DomainEvent]], agency_id: UUID
) -> list[tuple[int, DomainEvent]]:
    return [(position, event) for position, event in events if concerns(event, agency_id)]


def concerns(event: DomainEvent, agency_id: UUID) -> bool:
    """Whether the event is the agency's own act, or about what it shares or holds."""
    if event.audit.actor_agency_id == agency_id:
        return True
    if isinstance(event, InformationDisclosed):
        ids = {event.disclosing_agency.agency_id, *(r.agency_id for r in event.recipients)}
        return agency_id in ids
    if isinstance(event, DisclosureWithheld):
        requesting = event.requesting_agency.agency_id if event.requesting_agency else None
        return agency_id in {event.withholding_agency.agency_id, requesting}
    if isinstance(
        event,
        AgencyInvitedToStrategyMeeting
        | AgencyInvolvementEnded
        | AgencyInvolvementEndProposed
        | DisposalObligationRaised,
    ):
        return event.agency.agency_id == agency_id
    if isinstance(event, SubjectDiscussionDecided):
        return event.owner_agency.agency_id == agency_id
    return False
