"""Commands of the multi-agency meetings, their minutes and the action plan, and the handlers
that look up what a step cannot know: the directory's agencies on the meeting day, the
police ranks this service accepts, the values an amendment replaces."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

from aggregates.calendar import uk_date
from aggregates.meetings import (
    ActionAgreement,
    ActionCompletion,
    ActionDrop,
    ActionProgress,
    ActionsContinuation,
    ApprovedCorrection,
    AttendingAgencies,
    MeetingAttendance,
    MeetingPlan,
    MinutesApproval,
    MinutesCirculation,
    MinutesDraft,
)
from aggregates.referral import Referral
from aggregates.sharing import AgencyStanding
from commands.base import ChangeReferral
from commands.context import Issued, Outcome
from commands.cycle import CommandCycle
from events.base import AuditEnvelope, DomainEvent
from events.intake import ReferralReceived
from events.meetings import BasicInformationAmended, MinutesDrafted
from events.personal import Withheld
from events.vocabulary import PoliceRank

RevealedHistory = Callable[[UUID], list[tuple[int, DomainEvent]]]


class ScheduleMeeting(MeetingPlan, ChangeReferral):
    """Schedule a meeting; whoever schedules it chairs it, and provides its minute-taker."""


class RecordAttendance(MeetingAttendance, ChangeReferral):
    """Who attended (each person by staff identifier, with agency, role and police rank), who
    sent apologies, and whether the referrer attended or was consulted."""


class DraftMinutes(MinutesDraft, ChangeReferral):
    """A version of the minutes, drafted by the meeting's minute-taker (text stored sealed)."""


class ApproveMinutes(MinutesApproval, ChangeReferral):
    """The chair approves a version of the minutes; its amendments then change the record."""


class CirculateMinutes(MinutesCirculation, ChangeReferral):
    """Circulate approved minutes to the agencies that attended (a disclosure of them)."""


class AgreeAction(ActionAgreement, ChangeReferral):
    """An action of the support package: its lead agency, owner and due date."""


class NoteActionProgress(ActionProgress, ChangeReferral):
    """A progress note on an open action (stored sealed)."""


class CompleteAction(ActionCompletion, ChangeReferral):
    """An action is done."""


class DropAction(ActionDrop, ChangeReferral):
    """An action is dropped, with the reason (stored sealed)."""


class ContinueActions(ActionsContinuation, ChangeReferral):
    """A review meeting records which open actions continue."""


def record_attendance(
    cycle: CommandCycle,
    police_ranks: frozenset[PoliceRank],
    referral_id: UUID,
    command: RecordAttendance,
    issued: Issued,
) -> Outcome:
    def decide(referral: Referral, audit: AuditEnvelope) -> None:
        day = uk_date(referral.meeting(command.meeting_no).held_at)
        standings = {}
        for attendee in command.attendees:
            agency = cycle.named_agency(attendee.agency_id, "attendees")
            standings[attendee.agency_id] = AgencyStanding(
                agency.state.ref, agency.state.may_share_on(day)
            )
        apologies = [cycle.agency_ref(a, "apology_agency_ids") for a in command.apology_agency_ids]
        referral.record_attendance(
            audit, command, agencies=AttendingAgencies(standings, apologies, police_ranks)
        )

    return cycle.change_referral(referral_id, command, issued, decide)


def approve_minutes(
    cycle: CommandCycle,
    revealed_history: RevealedHistory,
    referral_id: UUID,
    command: ApproveMinutes,
    issued: Issued,
) -> Outcome:
    def decide(referral: Referral, audit: AuditEnvelope) -> None:
        corrections = _corrections(revealed_history(referral_id), command)
        referral.approve_minutes(audit, command, corrections=corrections)

    return cycle.change_referral(referral_id, command, issued, decide)


def _corrections(
    history: Sequence[tuple[int, DomainEvent]], command: ApproveMinutes
) -> list[ApprovedCorrection]:
    """The version's amendments, each with the value it replaces: the form as received, as
    amended by the minutes approved since (read from the case's own sealed record)."""
    current: dict[str, Any] = {}
    amendments: tuple[Any, ...] = ()
    for _, event in history:
        if isinstance(event, ReferralReceived) and not isinstance(event.subject, Withheld):
            current = event.subject.model_dump(mode="json")
        elif isinstance(event, BasicInformationAmended):
            current[event.field] = event.amended
        elif isinstance(event, MinutesDrafted) and (event.meeting_no, event.minutes_no) == (
            command.meeting_no,
            command.minutes_no,
        ):
            amendments = () if isinstance(event.amendments, Withheld) else event.amendments
    return [
        ApprovedCorrection(
            field=correction.field,
            previous=current.get(correction.field),
            amended=correction.amended,
        )
        for correction in amendments
    ]


def circulate_minutes(
    cycle: CommandCycle, referral_id: UUID, command: CirculateMinutes, issued: Issued
) -> Outcome:
    disclosing = cycle.agency_ref(command.disclosing_agency_id, "disclosing_agency_id")

    def decide(referral: Referral, audit: AuditEnvelope) -> None:
        meeting = referral.meeting(command.meeting_no)
        day = uk_date(command.circulated_at or audit.occurred_at)
        recipients = []
        for ref in meeting.attending_agencies:
            agency = cycle.agency(ref.agency_id)
            recipients.append(AgencyStanding(agency.state.ref, agency.state.may_share_on(day)))
        referral.circulate_minutes(
            audit, command, disclosing_agency=disclosing, recipients=recipients
        )

    return cycle.change_referral(referral_id, command, issued, decide)


def agree_action(
    cycle: CommandCycle, referral_id: UUID, command: AgreeAction, issued: Issued
) -> Outcome:
    lead = cycle.agency_ref(command.lead_agency_id, "lead_agency_id")
    return cycle.change_referral(
        referral_id,
        command,
        issued,
        lambda referral, audit: referral.agree_action(audit, command, lead_agency=lead),
    )
