"""Multi-agency meetings (section 6): scheduled, attended, minuted, approved, circulated; and
the action plan's actions."""

from __future__ import annotations

from fastapi import APIRouter

from api.access.gate import GatedRoute
from api.http.command_routes import CommandRoute, add_command_routes
from commands.application import ReferralLedger
from commands.meetings import (
    AgreeAction,
    ApproveMinutes,
    CirculateMinutes,
    CompleteAction,
    ContinueActions,
    DraftMinutes,
    DropAction,
    NoteActionProgress,
    RecordAttendance,
    ScheduleMeeting,
)

router = APIRouter(tags=["Meetings and the action plan"], route_class=GatedRoute)
add_command_routes(
    router,
    (
        CommandRoute("meetings", ScheduleMeeting, ReferralLedger.schedule_meeting),
        CommandRoute("meetings/attendance", RecordAttendance, ReferralLedger.record_attendance),
        CommandRoute("minutes", DraftMinutes, ReferralLedger.draft_minutes),
        CommandRoute("minutes/approval", ApproveMinutes, ReferralLedger.approve_minutes),
        CommandRoute("minutes/circulation", CirculateMinutes, ReferralLedger.circulate_minutes),
        CommandRoute("actions", AgreeAction, ReferralLedger.agree_action),
        CommandRoute("actions/progress", NoteActionProgress, ReferralLedger.note_action_progress),
        CommandRoute("actions/completion", CompleteAction, ReferralLedger.complete_action),
        CommandRoute("actions/drop", DropAction, ReferralLedger.drop_action),
        CommandRoute("actions/continuation", ContinueActions, ReferralLedger.continue_actions),
    ),
)
