"""The case view of meetings (section 6): who attended, each version of the minutes and its
circulation, the action plan's actions, and the corrections to the basic information with
where they came from. Texts, notes and the corrected values are sealed: not in the view."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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
from projections.case_view import Action, Agency, Amendment, Attendee, CaseView, Meeting, Minutes
from projections.case_view_folds.folding import Folds, changed

FOLDS = Folds()


@FOLDS.on(MeetingScheduled)
def _scheduled(view: CaseView, event: MeetingScheduled) -> CaseView:
    meeting = Meeting(
        meeting_no=event.meeting_no,
        kind=event.kind,
        held_at=event.held_at,
        place=event.place,
        chair=event.chair,
        minute_taker=event.minute_taker,
    )
    return view.model_copy(update={"meetings": (*view.meetings, meeting)})


@FOLDS.on(MeetingAttendanceRecorded)
def _attended(view: CaseView, event: MeetingAttendanceRecorded) -> CaseView:
    attendees = tuple(
        Attendee(
            attendee=a.attendee,
            agency=Agency.model_validate(a.agency.model_dump()),
            role=a.role,
            rank=a.rank,
        )
        for a in event.attendees
    )
    apologies = tuple(Agency.model_validate(a.model_dump()) for a in event.apologies)
    return _meeting(
        view, event.meeting_no, attendees=attendees, apologies=apologies, referrer=event.referrer
    )


@FOLDS.on(MinutesDrafted)
def _drafted(view: CaseView, event: MinutesDrafted) -> CaseView:
    version = Minutes(
        minutes_no=event.minutes_no,
        drafted_on=event.drafted_on,
        corrects=event.corrects,
        agreed_action_nos=event.agreed_action_nos,
        amended_fields=event.amended_fields,
    )
    return _with_meeting(view, event.meeting_no, lambda m: {"minutes": (*m.minutes, version)})


@FOLDS.on(MinutesApproved)
def _approved(view: CaseView, event: MinutesApproved) -> CaseView:
    return _minutes(view, event.meeting_no, event.minutes_no, approved_on=event.approved_on)


@FOLDS.on(MinutesCirculated)
def _circulated(view: CaseView, event: MinutesCirculated) -> CaseView:
    return _minutes(
        view,
        event.meeting_no,
        event.minutes_no,
        circulated_at=event.circulated_at,
        disclosure_no=event.disclosure_no,
        circulated_to=tuple(Agency.model_validate(r.model_dump()) for r in event.recipients),
    )


@FOLDS.on(BasicInformationAmended)
def _amended(view: CaseView, event: BasicInformationAmended) -> CaseView:
    amendment = Amendment(
        field=event.field,
        meeting_no=event.meeting_no,
        minutes_no=event.minutes_no,
        amended_at=event.audit.occurred_at,
    )
    return view.model_copy(update={"amendments": (*view.amendments, amendment)})


@FOLDS.on(ActionAgreed)
def _action_agreed(view: CaseView, event: ActionAgreed) -> CaseView:
    action = Action(
        action_no=event.action_no,
        meeting_no=event.meeting_no,
        lead_agency=Agency.model_validate(event.lead_agency.model_dump()),
        owner=event.owner,
        due_on=event.due_on,
    )
    return view.model_copy(update={"actions": (*view.actions, action)})


@FOLDS.on(ActionProgressed)
def _progressed(view: CaseView, event: ActionProgressed) -> CaseView:
    return _action(view, event.action_no, lambda a: {"progress_notes": a.progress_notes + 1})


@FOLDS.on(ActionCompleted)
def _completed(view: CaseView, event: ActionCompleted) -> CaseView:
    done = {"status": ActionStatus.DONE, "closed_on": event.done_on}
    return _action(view, event.action_no, lambda _a: done)


@FOLDS.on(ActionDropped)
def _dropped(view: CaseView, event: ActionDropped) -> CaseView:
    dropped = {"status": ActionStatus.DROPPED, "closed_on": event.dropped_on}
    return _action(view, event.action_no, lambda _a: dropped)


@FOLDS.on(ActionsContinued)
def _continued(view: CaseView, event: ActionsContinued) -> CaseView:
    for action_no in event.action_nos:
        view = _action(
            view, action_no, lambda a: {"continued_at": (*a.continued_at, event.meeting_no)}
        )
    return view


def _meeting(view: CaseView, meeting_no: int, **update: Any) -> CaseView:
    return _with_meeting(view, meeting_no, lambda _m: update)


def _with_meeting(
    view: CaseView, meeting_no: int, update: Callable[[Meeting], dict[str, Any]]
) -> CaseView:
    meetings = tuple(
        m.model_copy(update=update(m)) if m.meeting_no == meeting_no else m for m in view.meetings
    )
    return view.model_copy(update={"meetings": meetings})


def _minutes(view: CaseView, meeting_no: int, minutes_no: int, **update: Any) -> CaseView:
    def versions(meeting: Meeting) -> dict[str, Any]:
        return {"minutes": changed(meeting.minutes, lambda v: v.minutes_no == minutes_no, **update)}

    return _with_meeting(view, meeting_no, versions)


def _action(view: CaseView, action_no: int, update: Callable[[Action], dict[str, Any]]) -> CaseView:
    actions = tuple(
        a.model_copy(update=update(a)) if a.action_no == action_no else a for a in view.actions
    )
    return view.model_copy(update={"actions": actions})
