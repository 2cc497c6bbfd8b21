"""Meetings as section 6 runs them: "The Chair will provide a minute taker ... action points
circulated within one working day ... minutes ... as soon as practicable"; the police "at
least of Inspector rank" (section 5); minutes are shared information (section 8)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from aggregates import rules
from aggregates.errors import InvalidInstructionError
from aggregates.intake import ScreeningOut
from aggregates.meetings import (
    ActionAgreement,
    ActionCompletion,
    ActionDrop,
    ActionsContinuation,
    ApprovedCorrection,
    Attendee,
    AttendingAgencies,
    Correction,
    MeetingAttendance,
    MeetingPlan,
    MinutesApproval,
    MinutesCirculation,
    MinutesDraft,
)
from aggregates.sharing import AgencyStanding
from events.forms import PublicInterestBalance, SharingJustification, SharingPrinciples
from events.meetings import (
    ActionAgreed,
    ActionCompleted,
    BasicInformationAmended,
    MeetingAttendanceRecorded,
    MeetingScheduled,
    MinutesApproved,
    MinutesCirculated,
    MinutesDrafted,
)
from events.sharing import InformationDisclosed
from events.vocabulary import (
    INSPECTOR_AND_ABOVE,
    MeetingKind,
    PoliceRank,
    PublicInterestGround,
    Role,
    ScreeningOutReason,
)
from tests.rules.actors import (
    CHAIR,
    CHILDRENS_SERVICES,
    MASH,
    MENTORS,
    POLICE_FORCE,
    SCHOOL,
    TRIAGE,
    Actor,
    agency,
)
from tests.rules.harness import Step, given, later, recorded
from tests.rules.histories import security_checked

TAKER = Actor("minutes-1", Role.MINUTE_TAKER, MASH)
PRINCIPLES = SharingPrinciples(
    power_to_share=True, necessary=True, relevant=True, proportionate=True, non_discriminatory=True
)
WHY = SharingJustification(
    power_to_share="s6", necessity="plan", relevance="agreed", proportionality="attendees",
    non_discrimination="all cases",
)  # fmt: skip
BALANCE = PublicInterestBalance(
    grounds=[PublicInterestGround.PROTECTION_OF_VULNERABLE_PEOPLE],
    consent_considered=True,
    overrides_confidentiality_and_privacy=True,
)


def scheduled(kind: MeetingKind = MeetingKind.STRATEGY_MEETING) -> Step:
    def schedule(turn: Any) -> None:
        turn.referral.schedule_meeting(
            turn.by(CHAIR),
            MeetingPlan(kind=kind, held_at=turn.at, place="County Hall", minute_taker="minutes-1"),
        )

    return schedule


def standings(*names: str, unsigned: Sequence[str] = ()) -> dict[Any, AgencyStanding]:
    return {agency(n).agency_id: AgencyStanding(agency(n), n not in unsigned) for n in names}


def attended(
    *people: tuple[str, str, PoliceRank | None], meeting_no: int = 1, unsigned: Sequence[str] = ()
) -> Step:
    names = [name for _, name, _ in people]
    facts = AttendingAgencies(standings(*names, unsigned=unsigned), (), INSPECTOR_AND_ABOVE)
    instruction = MeetingAttendance(
        meeting_no=meeting_no,
        attendees=tuple(
            Attendee(attendee=who, agency_id=agency(name).agency_id, role="r", rank=rank)
            for who, name, rank in people
        ),
    )
    return lambda turn: turn.referral.record_attendance(turn.by(CHAIR), instruction, agencies=facts)


INSPECTOR_PRESENT = ("di-1", POLICE_FORCE, PoliceRank.INSPECTOR)
SCHOOL_PRESENT = ("dsl-1", SCHOOL, None)
CS_PRESENT = ("cs-1", CHILDRENS_SERVICES, None)
held = (scheduled(), later(hours=1), attended(INSPECTOR_PRESENT, SCHOOL_PRESENT, CS_PRESENT))


def drafted(by: Actor = TAKER, **fields: Any) -> Step:
    draft = MinutesDraft.model_validate(
        {"meeting_no": 1, "drafted_on": "2026-03-02", "text": "t", "statement_recorded": True}
        | fields
    )
    return lambda turn: turn.referral.draft_minutes(turn.by(by), draft)


def approved(
    minutes_no: int = 1, by: Actor = CHAIR, corrections: Sequence[ApprovedCorrection] = ()
) -> Step:
    approval = MinutesApproval(meeting_no=1, minutes_no=minutes_no, approved_on=RECEIVED_DAY)
    return lambda turn: turn.referral.approve_minutes(
        turn.by(by), approval, corrections=corrections
    )


def circulated(
    minutes_no: int = 1, recipients: Sequence[str] = (SCHOOL, CHILDRENS_SERVICES)
) -> Step:
    circulation = MinutesCirculation(
        meeting_no=1, minutes_no=minutes_no, disclosing_agency_id=agency(MASH).agency_id,
        legal_basis_ids=("uk.public-task-art6-1e", "uk.sch1-para18-safeguarding"),
        principles=PRINCIPLES, justification=WHY, particularly_sensitive=True,
        handling_advice="Keep with the case file.",
        public_interest=BALANCE, public_interest_reasoning="Consent would prejudice the plan.",
    )  # fmt: skip
    to = [AgencyStanding(agency(name), may_share=True) for name in recipients]
    return lambda turn: turn.referral.circulate_minutes(
        turn.by(CHAIR), circulation, disclosing_agency=agency(MASH), recipients=to
    )


RECEIVED_DAY = given().turn().today


def test_a_meeting_is_scheduled_by_its_chair_while_the_case_is_open() -> None:
    """The chair provides the minute-taker (section 6); no meeting once the case has ended."""
    given().when(scheduled()).then(
        recorded(MeetingScheduled, meeting_no=1, chair="chair-1", minute_taker="minutes-1")
    )
    screened_out = lambda turn: turn.referral.screen_out(  # noqa: E731
        turn.by(TRIAGE), ScreeningOut(reasons=[ScreeningOutReason.MALICIOUS])
    )
    given(security_checked, screened_out).when(scheduled()).then_refused(rules.MEETING_WHILE_OPEN)


def test_the_police_attend_a_strategy_meeting_at_least_of_inspector_rank() -> None:
    """ "Police - to report on case and/or VPD officer at least of Inspector rank" (section 5):
    a Sergeant alone is refused, with the rule and the ranks accepted in words."""
    sergeant = ("ps-1", POLICE_FORCE, PoliceRank.SERGEANT)
    refusal = given(scheduled(), later(hours=1)).when(attended(sergeant, SCHOOL_PRESENT))
    refusal.then_refused(rules.police_attendee_rank(sorted(INSPECTOR_AND_ABOVE)))
    given(scheduled(), later(hours=1)).when(attended(sergeant, INSPECTOR_PRESENT)).then(
        recorded(MeetingAttendanceRecorded, meeting_no=1)
    )
    # A review has no such rule.
    given(scheduled(MeetingKind.REVIEW), later(hours=1)).when(attended(SCHOOL_PRESENT)).then(
        recorded(MeetingAttendanceRecorded, meeting_no=1)
    )


def test_an_agency_that_must_sign_the_isp_attends_only_with_a_valid_signature() -> None:
    mentors = ("m-1", MENTORS, None)
    given(scheduled(), later(hours=1)).when(
        attended(INSPECTOR_PRESENT, mentors, unsigned=[MENTORS])
    ).then_refused(rules.ISP_SIGNATURE_REQUIRED)


def test_attendance_is_recorded_once_after_the_meeting_has_begun() -> None:
    given(scheduled()).when(attended(INSPECTOR_PRESENT)).then(
        recorded(MeetingAttendanceRecorded, meeting_no=1)
    )
    given(*held).when(attended(INSPECTOR_PRESENT)).then_refused(rules.ATTENDANCE_RECORDED_ONCE)
    given().when(attended(INSPECTOR_PRESENT)).then_invalid("meeting_no")


def test_the_minute_taker_drafts_after_attendance_with_the_statement_recorded() -> None:
    """ "The Chair will provide a minute taker"; the confidentiality statement "will appear in
    the minutes" (section 6, Appendix C)."""
    given(scheduled()).when(drafted()).then_refused(rules.ATTENDANCE_BEFORE_MINUTES)
    given(*held).when(drafted(by=CHAIR)).then_not_permitted(rules.MINUTE_TAKER_DRAFTS)
    given(*held).when(drafted(statement_recorded=False)).then_refused(rules.STATEMENT_IN_MINUTES)
    given(*held).when(drafted()).then(recorded(MinutesDrafted, minutes_no=1, corrects=None))
    given(*held).when(drafted(agreed_action_nos=[3])).then_invalid("agreed_action_nos")


def test_minutes_are_approved_by_the_chair_once_then_circulated_once() -> None:
    given(*held, drafted()).when(approved(by=TAKER)).then_not_permitted(
        rules.CHAIR_APPROVES_MINUTES
    )
    given(*held, drafted()).when(circulated()).then_refused(
        rules.MINUTES_APPROVED_BEFORE_CIRCULATION
    )
    given(*held, drafted(), approved()).when(approved()).then_refused(rules.MINUTES_APPROVED_ONCE)
    events = (
        given(*held, drafted(), approved())
        .when(circulated())
        .then(
            recorded(InformationDisclosed, disclosure_no=1, information_category="meeting_minutes"),
            recorded(MinutesCirculated, meeting_no=1, minutes_no=1, disclosure_no=1),
        )
    )
    disclosed = events[0]
    assert isinstance(disclosed, InformationDisclosed)
    assert [r.name for r in disclosed.recipients] == [SCHOOL, CHILDRENS_SERVICES]
    given(*held, drafted(), approved(), circulated()).when(circulated()).then_refused(
        rules.MINUTES_CIRCULATED_ONCE
    )
    given(*held, drafted(), approved()).when(circulated(recipients=[MASH])).then_refused(
        rules.MINUTES_NEED_A_RECIPIENT
    )


def test_a_correction_is_a_new_version_of_circulated_minutes() -> None:
    given(*held, drafted()).when(drafted(corrects=1)).then_refused(
        rules.CORRECTIONS_OF_CIRCULATED_MINUTES
    )
    given(*held, drafted(), approved(), circulated()).when(drafted(corrects=1)).then(
        recorded(MinutesDrafted, minutes_no=2, corrects=1)
    )


def test_approved_amendments_change_the_basic_information_with_their_source() -> None:
    new = {"lines": ["7 Elm Court"], "postcode": "NR2 4AB"}
    correction = ApprovedCorrection("address", {"lines": ["1 Road"]}, new)
    given(*held, drafted(amendments=[{"field": "address", "amended": new}])).when(
        approved(corrections=[correction])
    ).then(
        recorded(MinutesApproved, minutes_no=1),
        recorded(BasicInformationAmended, field="address", meeting_no=1, minutes_no=1),
    )
    with pytest.raises(ValidationError, match="'full_name'"):
        Correction.model_validate({"field": "concern", "amended": "x"})
    with pytest.raises(InvalidInstructionError, match="address can hold"):
        Correction(field="address", amended=42)


def test_actions_have_a_lead_agency_and_close_once() -> None:
    lead = agency(SCHOOL)
    agreement = ActionAgreement(
        meeting_no=1, lead_agency_id=lead.agency_id, owner="dsl-1",
        due_on=RECEIVED_DAY + timedelta(days=30), description="Mentoring",
    )  # fmt: skip
    agree: Step = lambda turn: turn.referral.agree_action(  # noqa: E731
        turn.by(CHAIR), agreement, lead_agency=lead
    )
    given(scheduled()).when(agree).then_refused(rules.ATTENDANCE_BEFORE_MINUTES)
    given(*held).when(agree).then(recorded(ActionAgreed, action_no=1, lead_agency=lead))
    done: Step = lambda turn: turn.referral.complete_action(  # noqa: E731
        turn.by(CHAIR), ActionCompletion(action_no=1, done_on=turn.today)
    )
    given(*held, agree).when(done).then(recorded(ActionCompleted, action_no=1))
    drop: Step = lambda turn: turn.referral.drop_action(  # noqa: E731
        turn.by(CHAIR), ActionDrop(action_no=1, dropped_on=turn.today, reason="r")
    )
    given(*held, agree, done).when(drop).then_refused(rules.ACTION_OPEN)
    keep: Step = lambda turn: turn.referral.continue_actions(  # noqa: E731
        turn.by(CHAIR), ActionsContinuation(meeting_no=1, action_nos=(1,))
    )
    given(*held, agree).when(keep).then_refused(rules.ACTIONS_CONTINUE_AT_A_REVIEW)
