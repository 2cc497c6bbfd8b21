"""The process clock over hand-made events: every kind of deadline, anchored just before
Christmas 2026 (Friday 25 and Monday 28 December are bank holidays) and Easter 2027 (Good
Friday 26 March, Easter Monday 29 March), with its status on the days around its due date."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from aggregates.process_clock import (
    DeadlineKind,
    DeadlineStatus,
    LocalTargets,
    ProcessClock,
    review_date_warning,
    status_on,
)
from events.base import AuditEnvelope, DomainEvent
from events.conclusion import PostExitReviewRecorded, ProcessConcluded, ReferredToAlternativeSupport
from events.disposal import (
    DisposalConfirmed,
    DisposalObligationRaised,
    LegalHoldLifted,
    LegalHoldPlaced,
)
from events.forms import AgencyRef
from events.intake import ReferralScreenedIn
from events.meetings import (
    ActionAgreed,
    ActionCompleted,
    ActionDropped,
    MeetingAttendanceRecorded,
    MeetingScheduled,
    MinutesCirculated,
)
from events.review import ReviewHeld
from events.strategy_discussion import MashDecisionSigned, ReferrerNotified
from events.strategy_meeting import StrategyMeetingConcluded, StrategyMeetingConvened
from events.vocabulary import (
    AgencyType,
    ContactMethod,
    DisposalMethod,
    FeedbackPoint,
    Forum,
    LegalHoldGround,
    MeetingKind,
    MeetingOutcome,
    PostExitReviewOutcome,
    PostExitReviewPoint,
    ReviewOutcome,
    Role,
    SignatoryCapacity,
)
from projections.deadline_book import Deadline
from projections.deadlines import fold

SCHOOL = AgencyRef(
    agency_id=uuid4(), name="Greenfield High School", agency_type=AgencyType.EDUCATION
)
MASH_ID, POLICE_ID = uuid4(), uuid4()
# (the anchor, one working day after it, five working days after it)
HOLIDAYS = [
    pytest.param(date(2026, 12, 24), date(2026, 12, 29), date(2027, 1, 5), id="christmas-2026"),
    pytest.param(date(2027, 3, 25), date(2027, 3, 30), date(2027, 4, 5), id="easter-2027"),
]
Kind = DeadlineKind


class History:
    """One referral's events, hand-made in log order, each recorded at noon UTC of its day
    unless told otherwise."""

    def __init__(self) -> None:
        self.referral_id = uuid4()
        self.events: list[DomainEvent] = []

    def add(self, event_type: type[DomainEvent], on: date, **fields: Any) -> History:
        role, agency, agency_id = fields.pop("by", (Role.MEETING_CHAIR, "Norfolk MASH", MASH_ID))
        audit = AuditEnvelope(
            actor_id=f"{role.value}-1",
            actor_role=role,
            actor_agency=agency,
            actor_agency_id=agency_id,
            occurred_at=fields.pop("at", datetime.combine(on, time(12), tzinfo=UTC)),
            command_id=uuid4(),
        )
        self.events.append(
            event_type(
                originator_id=self.referral_id,
                originator_version=len(self.events) + 1,
                audit=audit,
                **fields,
            )
        )
        return self

    def deadlines(self, targets: LocalTargets | None = None) -> list[Deadline]:
        return fold(self.events, ProcessClock(targets))

    def one(self, kind: DeadlineKind) -> Deadline:
        (found,) = [deadline for deadline in self.deadlines() if deadline.code is kind]
        return found


def day_after(day: date) -> date:
    return day + timedelta(days=1)


def noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


def assert_kept_to_the_day(deadline: Deadline, due: date) -> None:
    """Open on its due date and overdue the day after, unmet; or met, if it was met."""
    assert deadline.due_on == due
    if deadline.met_on is None:
        assert deadline.status_on(due) is DeadlineStatus.OPEN
        assert deadline.status_on(day_after(due)) is DeadlineStatus.OVERDUE


# -- meetings (section 6) ----------------------------------------------------------------


def meeting(day: date, scheduled_for: date | None = None) -> History:
    history = History()
    history.add(
        MeetingScheduled,
        (scheduled_for or day) - timedelta(days=7),
        meeting_no=1,
        kind=MeetingKind.REVIEW,
        held_at=noon(scheduled_for or day),
        place="County Hall",
        chair="meeting_chair-1",
        minute_taker="minutes-1",
    )
    return history.add(
        MeetingAttendanceRecorded,
        day,
        meeting_no=1,
        held_on=day,
        attendees=(),
        apologies=(),
        referrer=None,
    )


def circulated(history: History, at: datetime) -> History:
    return history.add(
        MinutesCirculated,
        at.date(),
        at=at,
        meeting_no=1,
        minutes_no=1,
        disclosure_no=1,
        circulated_at=at,
        recipients=(SCHOOL,),
    )


@pytest.mark.parametrize(("held", "next_day", "fifth_day"), HOLIDAYS)
def test_action_points_are_due_by_the_end_of_the_next_working_day(
    held: date, next_day: date, fifth_day: date
) -> None:
    history = meeting(held)
    deadline = history.one(Kind.ACTION_POINTS_CIRCULATED)
    assert (deadline.anchor_on, deadline.role, deadline.agency_id) == (
        held,
        Role.MEETING_CHAIR,
        MASH_ID,
    )
    assert_kept_to_the_day(deadline, next_day)
    on_time = circulated(meeting(held), noon(next_day)).one(Kind.ACTION_POINTS_CIRCULATED)
    assert on_time.status_on(fifth_day) is DeadlineStatus.MET
    late = circulated(meeting(held), noon(day_after(next_day)))
    assert late.one(Kind.ACTION_POINTS_CIRCULATED).status_on(fifth_day) is DeadlineStatus.LATE
    assert late.one(Kind.MINUTES_CIRCULATED).status_on(fifth_day) is DeadlineStatus.MET


@pytest.mark.parametrize(("held", "next_day", "fifth_day"), HOLIDAYS)
def test_minutes_are_due_within_the_local_target_of_working_days(
    held: date, next_day: date, fifth_day: date
) -> None:
    assert_kept_to_the_day(meeting(held).one(Kind.MINUTES_CIRCULATED), fifth_day)
    one_day = meeting(held).deadlines(LocalTargets(minutes_working_days=1))
    (minutes,) = [d for d in one_day if d.code is Kind.MINUTES_CIRCULATED]
    assert minutes.due_on == next_day
    assert "local policy: within 1 working day of the meeting" in minutes.rule
    late = circulated(meeting(held), noon(day_after(fifth_day))).one(Kind.MINUTES_CIRCULATED)
    assert late.status_on(day_after(fifth_day)) is DeadlineStatus.LATE


def test_the_meeting_day_recorded_with_the_attendance_anchors_the_circulation() -> None:
    """Scheduled for the Wednesday before Christmas, held on the Thursday."""
    deadline = meeting(date(2026, 12, 24), scheduled_for=date(2026, 12, 23)).one(
        Kind.ACTION_POINTS_CIRCULATED
    )
    assert (deadline.anchor_on, deadline.due_on) == (date(2026, 12, 24), date(2026, 12, 29))


def test_circulation_counts_on_the_uk_date_in_summer_time() -> None:
    """Circulated at 23:30 UTC on Tuesday 30 March 2027, which is 00:30 on the Wednesday in
    London (summer time began on the Sunday): a day late."""
    history = circulated(meeting(date(2027, 3, 25)), datetime(2027, 3, 30, 23, 30, tzinfo=UTC))
    deadline = history.one(Kind.ACTION_POINTS_CIRCULATED)
    assert deadline.met_on == date(2027, 3, 31)
    assert deadline.status_on(date(2027, 4, 1)) is DeadlineStatus.LATE


@pytest.mark.parametrize(("held", "next_day", "fifth_day"), HOLIDAYS)
def test_an_action_is_due_on_its_stated_date_and_met_when_done_or_dropped(
    held: date, next_day: date, fifth_day: date
) -> None:
    def agreed() -> History:
        return meeting(held).add(
            ActionAgreed,
            held,
            action_no=1,
            meeting_no=1,
            lead_agency=SCHOOL,
            owner="school-1",
            due_on=next_day,
            description="Mentoring",
        )

    deadline = agreed().one(Kind.ACTION_DONE)
    assert (deadline.anchor_on, deadline.agency_id, deadline.role) == (held, SCHOOL.agency_id, None)
    assert_kept_to_the_day(deadline, next_day)
    done = agreed().add(ActionCompleted, next_day, action_no=1, done_on=next_day)
    assert done.one(Kind.ACTION_DONE).status_on(fifth_day) is DeadlineStatus.MET
    dropped = agreed().add(
        ActionDropped, fifth_day, action_no=1, dropped_on=fifth_day, reason="Moved away."
    )
    assert dropped.one(Kind.ACTION_DONE).status_on(fifth_day) is DeadlineStatus.LATE


# -- the process's own steps -------------------------------------------------------------


def signed(day: date) -> History:
    history = History().add(ReferralScreenedIn, day - timedelta(days=9), rationale=None, by=TRIAGE)
    for capacity in (SignatoryCapacity.POLICE, SignatoryCapacity.CHILDRENS_SERVICES):
        history.add(MashDecisionSigned, day, capacity=capacity, by=POLICE)
    return history


TRIAGE = (Role.MASH_TRIAGE, "Norfolk MASH", MASH_ID)
POLICE = (Role.POLICE, "Norfolk Constabulary", POLICE_ID)


def notified(history: History, point: FeedbackPoint, day: date) -> History:
    return history.add(
        ReferrerNotified,
        day,
        feedback_point=point,
        notified_at=noon(day),
        notified_person="A Teacher",
        notified_by="mash_triage-1",
        method=ContactMethod.TELEPHONE,
        by=TRIAGE,
    )


@pytest.mark.parametrize(("decided", "next_day", "fifth_day"), HOLIDAYS)
def test_feedback_after_the_section_2_decision_falls_on_the_mash(
    decided: date, next_day: date, fifth_day: date
) -> None:
    deadline = signed(decided).one(Kind.REFERRER_FEEDBACK_AFTER_DECISION)
    assert (deadline.anchor_on, deadline.role, deadline.agency_id) == (
        decided,
        Role.MASH_TRIAGE,
        MASH_ID,
    )
    assert_kept_to_the_day(deadline, fifth_day)
    on_time = notified(signed(decided), FeedbackPoint.STRATEGY_DISCUSSION, fifth_day)
    assert on_time.one(Kind.REFERRER_FEEDBACK_AFTER_DECISION).status_on(fifth_day) is (
        DeadlineStatus.MET
    )
    one_day = signed(decided).deadlines(LocalTargets(feedback_working_days=1))
    assert [d.due_on for d in one_day] == [next_day]


def test_one_signature_is_not_yet_a_decision() -> None:
    history = History().add(
        MashDecisionSigned, date(2026, 12, 24), capacity=SignatoryCapacity.POLICE
    )
    assert history.deadlines() == []


def concluded(day: date) -> History:
    return History().add(
        ProcessConcluded,
        day,
        forum=Forum.REVIEW,
        concluded_on=day,
        six_month_review_due_on=date(1900, 1, 1),  # the clock counts; it does not read these
        twelve_month_review_due_on=date(1900, 1, 1),
        note=None,
    )


@pytest.mark.parametrize(("exit_day", "next_day", "fifth_day"), HOLIDAYS)
def test_feedback_at_the_conclusion(exit_day: date, next_day: date, fifth_day: date) -> None:
    deadline = concluded(exit_day).one(Kind.REFERRER_FEEDBACK_AT_CONCLUSION)
    assert deadline.anchor_on == exit_day
    assert_kept_to_the_day(deadline, fifth_day)
    late = notified(concluded(exit_day), FeedbackPoint.CONCLUSION, day_after(fifth_day))
    assert late.one(Kind.REFERRER_FEEDBACK_AT_CONCLUSION).status_on(next_day) is (
        DeadlineStatus.OPEN
    ), "met after the day asked about"
    assert late.one(Kind.REFERRER_FEEDBACK_AT_CONCLUSION).met_on == day_after(fifth_day)


@pytest.mark.parametrize(
    ("exit_day", "six", "twelve"),
    [
        pytest.param(
            date(2026, 12, 24), date(2027, 6, 24), date(2027, 12, 24), id="christmas-2026"
        ),
        pytest.param(date(2027, 3, 25), date(2027, 9, 25), date(2028, 3, 25), id="easter-2027"),
        # Calendar months, as Appendix D counts them: a review due on Christmas Day is due then.
        pytest.param(date(2026, 6, 25), date(2026, 12, 25), date(2027, 6, 25), id="due-on-25-dec"),
    ],
)
def test_post_exit_reviews_at_6_and_12_months(exit_day: date, six: date, twelve: date) -> None:
    history = History().add(
        ReferredToAlternativeSupport,
        exit_day,
        forum=Forum.STRATEGY_MEETING,
        referred_on=exit_day,
        support_provider="Early Help",
        six_month_review_due_on=six,
        twelve_month_review_due_on=twelve,
        rationale=None,
    )
    assert_kept_to_the_day(history.one(Kind.SIX_MONTH_REVIEW), six)
    assert_kept_to_the_day(history.one(Kind.TWELVE_MONTH_REVIEW), twelve)
    assert history.one(Kind.SIX_MONTH_REVIEW).role is Role.MEETING_CHAIR
    history.add(
        PostExitReviewRecorded,
        day_after(six),
        review_point=PostExitReviewPoint.SIX_MONTHS,
        reviewed_on=day_after(six),
        outcome=PostExitReviewOutcome.NO_FURTHER_CONCERN,
        notes=None,
        early_reason=None,
    )
    assert history.one(Kind.SIX_MONTH_REVIEW).status_on(twelve) is DeadlineStatus.LATE
    assert history.one(Kind.TWELVE_MONTH_REVIEW).status_on(twelve) is DeadlineStatus.OPEN


def test_reviews_fall_due_on_the_dates_agreed_and_warn_outside_4_to_6_weeks() -> None:
    """The strategy meeting on Christmas Eve agrees a review 35 days on; that review agrees
    the next for Easter Monday, 60 days on: kept, with a warning."""
    history = History()
    history.add(
        StrategyMeetingConvened,
        date(2026, 12, 20),
        meeting_at=noon(date(2026, 12, 24)),
        chair="meeting_chair-1",
        nominated_by=None,
    )
    history.add(
        StrategyMeetingConcluded,
        date(2026, 12, 24),
        outcome=MeetingOutcome.SUPPORT_PACKAGE,
        action_plan=(),
        action_descriptions=(),
        review_on=date(2027, 1, 28),
        rationale=None,
    )
    history.add(
        ReviewHeld,
        date(2027, 1, 28),
        review_no=1,
        held_on=date(2027, 1, 28),
        outcome=ReviewOutcome.CONTINUE,
        next_review_on=date(2027, 3, 29),
        amended_action_plan=None,
        amended_action_descriptions=None,
        progress_notes="Going well.",
        review_date_reason="The family is away over the Easter holidays.",
    )
    first, second = [d for d in history.deadlines() if d.code is Kind.REVIEW_HELD]
    assert (first.anchor_on, first.due_on, first.met_on, first.warning) == (
        date(2026, 12, 24),
        date(2027, 1, 28),
        date(2027, 1, 28),
        None,
    )
    assert (second.anchor_on, second.due_on, second.met_on) == (
        date(2027, 1, 28),
        date(2027, 3, 29),
        None,
    )
    assert second.warning is not None
    assert "60 days" in second.warning
    assert "the meeting recorded its reason" in second.warning
    assert second.status_on(date(2027, 3, 30)) is DeadlineStatus.OVERDUE


@pytest.mark.parametrize(("days", "warned"), [(27, True), (28, False), (42, False), (43, True)])
def test_the_review_window_is_28_to_42_days(days: int, warned: bool) -> None:
    meeting_day = date(2026, 12, 24)
    warning = review_date_warning(meeting_day, meeting_day + timedelta(days=days))
    assert (warning is not None) is warned
    if warning is not None:
        assert warning.endswith("no reason was recorded.")


# -- section 8 ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raised", "due"),
    [
        pytest.param(date(2026, 12, 24), date(2027, 1, 12), id="christmas-2026"),
        pytest.param(date(2027, 3, 25), date(2027, 4, 9), id="easter-2027"),
    ],
)
def test_deletion_or_return_is_due_as_raised_and_a_hold_suspends_it(
    raised: date, due: date
) -> None:
    """Ten working days, as the aggregate counted them when it raised the obligation."""

    def obligation() -> History:
        return History().add(
            DisposalObligationRaised,
            raised,
            obligation_no=1,
            disclosure_no=1,
            agency=SCHOOL,
            disclosing_agency=SCHOOL,
            information_category="education",
            disclosed_at=noon(raised - timedelta(days=30)),
            raised_on=raised,
            working_days=10,
            due_on=due,
        )

    deadline = obligation().one(Kind.DELETION_OR_RETURN)
    assert (deadline.anchor_on, deadline.agency_id) == (raised, SCHOOL.agency_id)
    assert_kept_to_the_day(deadline, due)
    partly = obligation().add(
        DisposalConfirmed,
        due,
        obligation_no=1,
        method=DisposalMethod.DELETED,
        disposed_on=due,
        complete=False,
        certified_by="school-1",
        note=None,
    )
    assert partly.one(Kind.DELETION_OR_RETURN).status_on(day_after(due)) is DeadlineStatus.OVERDUE
    partly.add(
        DisposalConfirmed,
        day_after(due),
        obligation_no=1,
        method=DisposalMethod.DELETED,
        disposed_on=day_after(due),
        complete=True,
        certified_by="school-1",
        note=None,
    )
    assert partly.one(Kind.DELETION_OR_RETURN).status_on(day_after(due)) is DeadlineStatus.LATE
    held = obligation().add(
        LegalHoldPlaced, raised, hold_no=1, ground=LegalHoldGround.LITIGATION, reason="A claim."
    )
    assert held.one(Kind.DELETION_OR_RETURN).status_on(day_after(due)) is DeadlineStatus.SUSPENDED
    redated = date(2027, 6, 1)
    held.add(LegalHoldLifted, due, hold_no=1, obligations_due_on=redated, reason="Settled.")
    lifted = held.one(Kind.DELETION_OR_RETURN)
    assert (lifted.due_on, lifted.status_on(day_after(due))) == (redated, DeadlineStatus.OPEN)


def test_an_obligation_raised_under_a_hold_starts_suspended() -> None:
    history = History().add(
        LegalHoldPlaced,
        date(2026, 12, 24),
        hold_no=1,
        ground=LegalHoldGround.LITIGATION,
        reason="A claim.",
    )
    history.add(
        DisposalObligationRaised,
        date(2026, 12, 24),
        obligation_no=1,
        disclosure_no=1,
        agency=SCHOOL,
        disclosing_agency=SCHOOL,
        information_category="education",
        disclosed_at=noon(date(2026, 11, 2)),
        raised_on=date(2026, 12, 24),
        working_days=10,
        due_on=date(2027, 1, 12),
    )
    assert history.one(Kind.DELETION_OR_RETURN).suspended


# -- the clock itself --------------------------------------------------------------------


def test_every_kind_has_a_rule_in_words_and_is_folded_above() -> None:
    clock = ProcessClock()
    assert all(clock.rule(kind) for kind in DeadlineKind)
    source = Path(__file__).read_text(encoding="utf-8")
    untested = [kind.name for kind in DeadlineKind if f"Kind.{kind.name}" not in source]
    assert untested == []


def test_stated_due_dates_are_not_counted() -> None:
    with pytest.raises(ValueError, match="stated"):
        ProcessClock().due_on(DeadlineKind.ACTION_DONE, date(2026, 12, 24))


@pytest.mark.parametrize(
    ("met_on", "day", "expected"),
    [
        (None, date(2027, 1, 5), DeadlineStatus.OPEN),
        (None, date(2027, 1, 6), DeadlineStatus.OVERDUE),
        (date(2027, 1, 5), date(2027, 1, 6), DeadlineStatus.MET),
        (date(2027, 1, 6), date(2027, 1, 6), DeadlineStatus.LATE),
    ],
)
def test_status_on_a_day(met_on: date | None, day: date, expected: DeadlineStatus) -> None:
    assert status_on(date(2027, 1, 5), met_on, day) is expected
