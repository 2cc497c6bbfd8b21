"""What an agency practitioner sees of a case: only what their agency disclosed or received,
what concerns their agency, and what they did themselves (section 3: need to know).

Agencies are told apart by their directory id, never by name: a look-alike agency with a
similar (or, before names were unique, the same) name sees nothing of another's.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from uuid import UUID

from events.base import DomainEvent
from events.disposal import (
    AgencyInvolvementEnded,
    AgencyInvolvementEndProposed,
    DisposalObligationRaised,
)
from events.meetings import ActionAgreed, MeetingAttendanceRecorded, MinutesCirculated
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
            **_meetings_seen_by(case, agency_id),
        }
    )


def _meetings_seen_by(case: CaseView, agency_id: UUID) -> dict[str, tuple[Any, ...]]:
    """The meetings the agency attended or sent apologies to (and what they amended), and
    the actions it leads."""
    attended = {
        meeting.meeting_no
        for meeting in case.meetings
        if agency_id
        in {a.agency.agency_id for a in meeting.attendees}
        | {a.agency_id for a in meeting.apologies}
    }
    return {
        "meetings": tuple(m for m in case.meetings if m.meeting_no in attended),
        "amendments": tuple(a for a in case.amendments if a.meeting_no in attended),
        "actions": tuple(a for a in case.actions if a.lead_agency.agency_id == agency_id),
    }


def agency_events(
    events: Iterable[tuple[int, DomainEvent]], agency_id: UUID
) -> list[tuple[int, DomainEvent]]:
    return [(position, event) for position, event in events if concerns(event, agency_id)]


def concerns(event: DomainEvent, agency_id: UUID) -> bool:
    """Whether the event is the agency's own act, or about what it shares or holds."""
    return event.audit.actor_agency_id == agency_id or agency_id in _agencies_named(event)


def _agencies_named(event: DomainEvent) -> set[UUID | None]:
    """The agencies an event is about: those that shared or received, withheld or asked,
    were invited, ended their involvement, owe a disposal, own information, attended a
    meeting, received its minutes or lead an action."""
    if isinstance(event, InformationDisclosed):
        return {event.disclosing_agency.agency_id, *(r.agency_id for r in event.recipients)}
    if isinstance(event, DisclosureWithheld):
        requesting = event.requesting_agency.agency_id if event.requesting_agency else None
        return {event.withholding_agency.agency_id, requesting}
    if isinstance(
        event,
        AgencyInvitedToStrategyMeeting
        | AgencyInvolvementEnded
        | AgencyInvolvementEndProposed
        | DisposalObligationRaised,
    ):
        return {event.agency.agency_id}
    if isinstance(event, SubjectDiscussionDecided):
        return {event.owner_agency.agency_id}
    return set(_meeting_agencies(event))


def _meeting_agencies(event: DomainEvent) -> set[UUID]:
    """The agencies a meeting event concerns: who attended or sent apologies, who received the
    minutes, who leads an action."""
    if isinstance(event, MeetingAttendanceRecorded):
        return {a.agency.agency_id for a in event.attendees} | {
            a.agency_id for a in event.apologies
        }
    if isinstance(event, MinutesCirculated):
        return {r.agency_id for r in event.recipients}
    if isinstance(event, ActionAgreed):
        return {event.lead_agency.agency_id}
    return set()
