"""How meeting events change a referral's state (part of the one fold): meetings, their
minutes' versions and the action plan's actions. Amendments and progress notes change
nothing the rules read; they are recorded and shown."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aggregates.calendar import uk_date
from aggregates.referral_state import ActionRecord, Meeting, MinutesVersion, ReferralState
from events.meetings import (
    ActionAgreed,
    ActionCompleted,
    ActionDropped,
    ActionProgressed,
    ActionsContinued,
    BasicInformationAmended,
    MeetingAttendanceRecorded,
    MeetingScheduled,
    MinutesApproved,
    MinutesCirculated,
    MinutesDrafted,
)
from events.vocabulary import ActionStatus


def _scheduled(event: MeetingScheduled, state: ReferralState) -> None:
    state.meetings.append(
        Meeting(
            meeting_no=event.meeting_no,
            kind=event.kind,
            held_at=event.held_at,
            chair=event.chair,
            minute_taker=event.minute_taker,
        )
    )


def _attended(event: MeetingAttendanceRecorded, state: ReferralState) -> None:
    meeting = _meeting(state, event.meeting_no)
    meeting.attended = True
    agencies = {a.agency.agency_id: a.agency for a in event.attendees}
    meeting.attending_agencies = list(agencies.values())


def _drafted(event: MinutesDrafted, state: ReferralState) -> None:
    _meeting(state, event.meeting_no).minutes.append(
        MinutesVersion(minutes_no=event.minutes_no, drafted_on=event.drafted_on)
    )


def _approved(event: MinutesApproved, state: ReferralState) -> None:
    _version(state, event.meeting_no, event.minutes_no).approved = True


def _circulated(event: MinutesCirculated, state: ReferralState) -> None:
    _version(state, event.meeting_no, event.minutes_no).circulated = True


def _action_agreed(event: ActionAgreed, state: ReferralState) -> None:
    meeting = _meeting(state, event.meeting_no)
    state.actions.append(
        ActionRecord(
            action_no=event.action_no,
            meeting_no=event.meeting_no,
            lead_agency_id=event.lead_agency.agency_id,
            agreed_on=uk_date(meeting.held_at),
            due_on=event.due_on,
        )
    )


def _action_completed(event: ActionCompleted, state: ReferralState) -> None:
    _action(state, event.action_no).status = ActionStatus.DONE


def _action_dropped(event: ActionDropped, state: ReferralState) -> None:
    _action(state, event.action_no).status = ActionStatus.DROPPED


def _recorded_only(_event: Any, _state: ReferralState) -> None:
    pass


def _meeting(state: ReferralState, meeting_no: int) -> Meeting:
    for meeting in state.meetings:
        if meeting.meeting_no == meeting_no:
            return meeting
    raise TypeError(f"event names meeting {meeting_no}, which was never scheduled")


def _version(state: ReferralState, meeting_no: int, minutes_no: int) -> MinutesVersion:
    for version in _meeting(state, meeting_no).minutes:
        if version.minutes_no == minutes_no:
            return version
    raise TypeError(f"event names minutes {minutes_no} of meeting {meeting_no}, never drafted")


def _action(state: ReferralState, action_no: int) -> ActionRecord:
    for action in state.actions:
        if action.action_no == action_no:
            return action
    raise TypeError(f"event names action {action_no}, which was never agreed")


MEETING_HANDLERS: dict[type[Any], Callable[[Any, ReferralState], None]] = {
    MeetingScheduled: _scheduled,
    MeetingAttendanceRecorded: _attended,
    MinutesDrafted: _drafted,
    MinutesApproved: _approved,
    MinutesCirculated: _circulated,
    BasicInformationAmended: _recorded_only,
    ActionAgreed: _action_agreed,
    ActionProgressed: _recorded_only,
    ActionCompleted: _action_completed,
    ActionDropped: _action_dropped,
    ActionsContinued: _recorded_only,
}
