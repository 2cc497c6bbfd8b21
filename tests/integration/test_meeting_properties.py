"""Property: any sequence of meeting, minutes and action commands, by anyone, with numbers
often wrong, either records events that replay to the live state or is refused and records
nothing; and whatever was accepted, no minutes were circulated without their approval and no
action was agreed without a lead agency of the directory.

Hypothesis draws the commands against the real ledger on an SQLite file; each example is a
new case at its strategy meeting.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from aggregates.agency import agency_id_for
from aggregates.errors import DomainError
from aggregates.referral_state import ReferralState
from api.bootstrap import open_runtime
from api.settings import Settings
from commands.context import Issued
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
from events.meetings import ActionAgreed, MinutesApproved, MinutesCirculated
from events.sharing import InformationDisclosed
from events.vocabulary import MeetingKind, PoliceRank
from scenarios import builder
from tests.integration.test_process_properties import (
    RecordingLedger,
    received,
    scenario_on,
    stored,
)
from tests.sharing_support import AGENCY_TYPES, CHILDRENS, MENTORS, POLICE, SCHOOL
from tests.support import ACTORS, FixedClock

MASH = "Norfolk MASH"
DIRECTORY = {**AGENCY_TYPES, MASH: "multi_agency_safeguarding_hub"}
PEOPLE = ["chair-1", "minutes-1", "school-1", "police-1", "triage-1"]
VERSION = {"expected_version": 1}  # replaced by the case's own before each command
TAKERS = ["minutes-1", "minutes-1", "minutes-1", "chair-1"]
# Who the guidance expects to take each step (drawn most often; anyone else sometimes).
SENSIBLE_ACTOR = {
    "schedule_meeting": "chair-1",
    "record_attendance": "chair-1",
    "draft_minutes": "minutes-1",
    "approve_minutes": "chair-1",
    "circulate_minutes": "chair-1",
    "agree_action": "chair-1",
    "note_action_progress": "school-1",
    "complete_action": "school-1",
    "drop_action": "chair-1",
    "continue_actions": "chair-1",
}
CIRCULATION: dict[str, Any] = {
    "disclosing_agency_id": str(agency_id_for(MASH)),
    "legal_basis_ids": ["uk.public-task-art6-1e", "uk.sch1-para18-safeguarding"],
    "principles": dict.fromkeys(
        ["power_to_share", "necessary", "relevant", "proportionate", "non_discriminatory"], True
    ),
    "justification": dict.fromkeys(
        ["power_to_share", "necessity", "relevance", "proportionality", "non_discrimination"],
        "Section 6.",
    ),
    "public_interest": {
        "grounds": ["protection_of_vulnerable_members_of_the_community"],
        "consent_considered": True,
        "overrides_confidentiality_and_privacy": True,
    },
    "public_interest_reasoning": "Consent would delay the plan.",
    "particularly_sensitive": True,
    "handling_advice": "Keep with the case file.",
}


@pytest.fixture(scope="module")
def ledger(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[RecordingLedger, FixedClock]]:
    root: Path = tmp_path_factory.mktemp("meeting-properties")
    settings_ = Settings(store="sqlite", data_dir=root)
    runtime = open_runtime(settings_)
    clock = FixedClock()
    recording = RecordingLedger(
        settings_.eventsourcing_env(), keyring=runtime.ledger.keyring, clock=clock
    )
    scenario_on(recording, clock).register(DIRECTORY)
    yield recording, clock
    recording.close()
    runtime.close()


def command(  # noqa: PLR0911 (one per command)
    data: st.DataObject, clock: FixedClock, state: ReferralState
) -> tuple[str, Any]:
    """One meeting command with fields drawn, often wrong for the case (numbers near the
    case's latest ones, so a step out of turn meets something it could wrongly act on)."""
    body: dict[str, Any]
    latest = [
        max(1, len(state.meetings)),
        max(1, len(state.meetings[-1].minutes) if state.meetings else 1),
    ]
    number = st.sampled_from([*latest, *latest, 1, 2, 3])
    today = clock.now().date().isoformat()
    name = data.draw(
        st.sampled_from(
            [
                "schedule",
                "attend",
                "draft",
                "approve",
                "circulate",
                "agree",
                "progress",
                "complete",
                "drop",
                "continue",
            ]
        )
    )
    agency = data.draw(st.sampled_from([POLICE, CHILDRENS, SCHOOL, MENTORS, MASH]))
    if name == "schedule":
        held = clock.now() - timedelta(minutes=data.draw(st.sampled_from([-60, 0, 30, 90])))
        body = {"kind": data.draw(st.sampled_from(list(MeetingKind))),
                "held_at": held.isoformat(), "place": "Hall",
                "minute_taker": data.draw(st.sampled_from(TAKERS))}  # fmt: skip
        return "schedule_meeting", ScheduleMeeting.model_validate(body | {"expected_version": 1})
    if name == "attend":
        others = [[], [CHILDRENS], [SCHOOL], [CHILDRENS, SCHOOL], [MENTORS]]
        people = [POLICE, *data.draw(st.sampled_from(others))]
        rank = data.draw(st.sampled_from([PoliceRank.INSPECTOR] * 4 + [None, *PoliceRank]))
        attendees = [
            {"attendee": f"p-{i}", "agency_id": str(agency_id_for(n)), "role": "r",
             "rank": rank if n == POLICE else None}
            for i, n in enumerate(people)
        ]  # fmt: skip
        body = {"meeting_no": data.draw(number), "attendees": attendees}
        return "record_attendance", RecordAttendance.model_validate(body | {"expected_version": 1})
    if name == "draft":
        body = {"meeting_no": data.draw(number), "drafted_on": today, "text": "Minutes.",
                "statement_recorded": data.draw(st.sampled_from([True, True, True, False])),
                "corrects": data.draw(st.sampled_from([None, None, None, 1, 2])),
                "amendments": data.draw(st.sampled_from(
                    [[], [{"field": "place_of_birth", "amended": "Leeds"}]]))}  # fmt: skip
        return "draft_minutes", DraftMinutes.model_validate(body | {"expected_version": 1})
    if name == "approve":
        body = {"meeting_no": data.draw(number), "minutes_no": data.draw(number),
                "approved_on": today}  # fmt: skip
        return "approve_minutes", ApproveMinutes.model_validate(body | {"expected_version": 1})
    if name == "circulate":
        body = CIRCULATION | {"meeting_no": data.draw(number), "minutes_no": data.draw(number)}
        return "circulate_minutes", CirculateMinutes.model_validate(body | {"expected_version": 1})
    if name == "agree":
        lead = data.draw(st.sampled_from([agency_id_for(agency), uuid4()]))
        body = {"meeting_no": data.draw(number), "lead_agency_id": str(lead), "owner": "o-1",
                "due_on": today, "description": "An action."}  # fmt: skip
        return "agree_action", AgreeAction.model_validate(body | {"expected_version": 1})
    action = {"action_no": data.draw(number), "expected_version": 1}
    if name == "progress":
        return "note_action_progress", NoteActionProgress.model_validate(
            action | {"noted_on": today, "note": "Progress."}
        )
    if name == "complete":
        return "complete_action", CompleteAction.model_validate(action | {"done_on": today})
    if name == "drop":
        return "drop_action", DropAction.model_validate(
            action | {"dropped_on": today, "reason": "Dropped."}
        )
    body = {"meeting_no": data.draw(number), "action_nos": [data.draw(number)]}
    return "continue_actions", ContinueActions.model_validate(body | {"expected_version": 1})


def sensible(state: ReferralState, clock: FixedClock, data: st.DataObject) -> tuple[str, Any, str]:
    """The next step of the last meeting as the guidance runs it, with its right actor; now
    and then the step after it instead (minutes circulated before their approval)."""
    body: dict[str, Any]
    today = clock.now().date().isoformat()
    meeting = state.meetings[-1] if state.meetings else None
    if meeting is None or (
        meeting.minutes and meeting.minutes[-1].circulated and clock.now().hour % 2
    ):
        kind = MeetingKind.REVIEW if state.meetings else MeetingKind.STRATEGY_MEETING
        body = {"kind": kind, "held_at": clock.now().isoformat(), "place": "Hall",
                "minute_taker": "minutes-1"}  # fmt: skip
        return "schedule_meeting", ScheduleMeeting.model_validate(body | VERSION), "chair-1"
    number = {"meeting_no": meeting.meeting_no}
    if not meeting.attended:
        police, school = str(agency_id_for(POLICE)), str(agency_id_for(SCHOOL))
        present = [{"attendee": "di-1", "agency_id": police, "role": "VPD", "rank": "inspector"},
                   {"attendee": "dsl-1", "agency_id": school, "role": "DSL"}]  # fmt: skip
        body = number | {"attendees": present}
        return "record_attendance", RecordAttendance.model_validate(body | VERSION), "chair-1"
    last = meeting.minutes[-1] if meeting.minutes else None
    if last is None or (last.circulated and len(state.actions) >= len(state.meetings)):
        body = number | {"drafted_on": today, "text": "Minutes.", "statement_recorded": True,
                         "corrects": last.minutes_no if last else None}  # fmt: skip
        return "draft_minutes", DraftMinutes.model_validate(body | VERSION), "minutes-1"
    version = number | {"minutes_no": last.minutes_no}
    if not last.approved and data.draw(st.sampled_from([True, True, False])):
        body = version | {"approved_on": today}
        return "approve_minutes", ApproveMinutes.model_validate(body | VERSION), "chair-1"
    if not last.circulated:
        body = CIRCULATION | version
        return "circulate_minutes", CirculateMinutes.model_validate(body | VERSION), "chair-1"
    body = number | {"lead_agency_id": str(agency_id_for(SCHOOL)), "owner": "dsl-1",
                     "due_on": today, "description": "An action."}  # fmt: skip
    return "agree_action", AgreeAction.model_validate(body | VERSION), "chair-1"


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_meeting_commands_replay_to_the_live_state_and_refusals_store_nothing(
    ledger: tuple[RecordingLedger, FixedClock], data: st.DataObject
) -> None:
    app, clock = ledger
    case = received(scenario_on(app, clock)).along(builder.to_strategy_meeting())
    referral_id = case.referral_id
    for _ in range(data.draw(st.integers(5, 25))):
        clock.advance(minutes=data.draw(st.integers(0, 90)))
        referral = app.referral(referral_id)
        if data.draw(st.booleans()):
            name, instruction, actor = sensible(referral.state, clock, data)
        else:
            name, instruction = command(data, clock, referral.state)
            actor = data.draw(st.sampled_from([SENSIBLE_ACTOR[name]] * 3 + PEOPLE))
        sent = instruction.model_copy(update={"expected_version": referral.version})
        by = ACTORS[actor]
        before = app.recorder.max_notification_id()
        app.live = None
        try:
            getattr(app, name)(referral_id, sent, Issued(by, uuid4()))
        except DomainError:
            assert app.recorder.max_notification_id() == before, f"{name} refused, yet stored"
            continue
        live: ReferralState | None = app.live
        assert live is not None
        assert stored(app, referral_id).state == live, f"{name} does not replay"
        event(f"{name} accepted")
    _held_to_the_rules(app, referral_id)


def _held_to_the_rules(app: RecordingLedger, referral_id: UUID) -> None:
    approved: set[tuple[int, int]] = set()
    directory = {agency_id_for(name) for name in DIRECTORY}
    recorded = [recorded for _, recorded in app.history(referral_id)]
    for index, step in enumerate(recorded):
        if isinstance(step, MinutesApproved):
            approved.add((step.meeting_no, step.minutes_no))
        elif isinstance(step, MinutesCirculated):
            assert (step.meeting_no, step.minutes_no) in approved, "circulated unapproved"
            disclosed = recorded[index - 1]
            assert isinstance(disclosed, InformationDisclosed)
            assert disclosed.disclosure_no == step.disclosure_no
        elif isinstance(step, ActionAgreed):
            assert step.lead_agency.agency_id in directory, "an action without a lead agency"
