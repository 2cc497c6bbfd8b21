"""The PREVENT strategy meeting: convened after a signed Yes, its outcome and support package
(section 5)."""

from __future__ import annotations

from datetime import timedelta

from aggregates import rules
from aggregates.strategy_meeting import StrategyMeetingDecision
from events.strategy_meeting import StrategyMeetingConcluded, StrategyMeetingConvened
from events.vocabulary import MeetingOutcome
from tests.rules.actors import CHAIR
from tests.rules.harness import given, later, recorded
from tests.rules.histories import (
    AT_MEETING,
    DECIDED,
    MENTORING,
    POLICE_SIGNED,
    SIGNED,
    meeting_concluded,
    meeting_convened,
    support_agreed,
)


def test_the_meeting_follows_a_signed_yes() -> None:
    """ "Following confirmation that the case is appropriate to continue through the VTR
    process, the referral should proceed to a strategy meeting ... convened and Chaired by the
    appropriate lead from within the MASH" (section 5): both Section 2 signatures first."""
    given(*SIGNED).when(meeting_convened).then(
        recorded(StrategyMeetingConvened, chair="chair-1", nominated_by=None)
    )
    given(*DECIDED, POLICE_SIGNED).when(meeting_convened).then_refused(
        rules.wrong_stage(
            "Convening the strategy meeting",
            "awaiting_section_2_signatures",
            "once the Section 2 decision (Yes) is signed and before the meeting concludes",
        )
    )


def test_the_outcome_waits_for_the_meeting_to_be_held() -> None:
    """The meeting concludes when it is held (section 5), not before its time."""
    given(*AT_MEETING, later(hours=-1)).when(
        meeting_concluded(MeetingOutcome.NOT_BEING_DRAWN_IN)
    ).then_refused(rules.MEETING_NOT_YET_HELD)


def test_a_support_package_is_an_action_plan_with_a_review() -> None:
    """ "If the consensus is that support is required they should devise an appropriate support
    package ... in the form of an action plan setting out ... the statutory or third sector
    partners who will lead on the delivery"; "A review meeting date will be agreed" (section 5)."""
    at_meeting = given(*AT_MEETING)
    (event,) = at_meeting.when(support_agreed).then(
        recorded(StrategyMeetingConcluded, outcome=MeetingOutcome.SUPPORT_PACKAGE)
    )
    assert [(a.action_no, a.lead_agency) for a in event.action_plan] == [  # type: ignore[attr-defined]
        (1, "Greenfield High School")
    ]
    at_meeting.when(
        lambda case: case.referral.conclude_strategy_meeting(
            case.by(CHAIR),
            StrategyMeetingDecision(
                outcome=MeetingOutcome.SUPPORT_PACKAGE,
                actions=(),
                review_on=case.days_from_today(35),
                rationale=None,
            ),
        )
    ).then_invalid("actions")
    at_meeting.when(
        lambda case: case.referral.conclude_strategy_meeting(
            case.by(CHAIR),
            StrategyMeetingDecision(
                outcome=MeetingOutcome.SUPPORT_PACKAGE,
                actions=(MENTORING,),
                review_on=case.today,
                rationale=None,
            ),
        )
    ).then_invalid("review_on")


def test_other_outcomes_carry_no_action_plan() -> None:
    """ "The meeting may conclude that the individual is better suited to alternative support
    providers, or ... is not being drawn into violent extremism" (section 5): no action plan
    then."""
    given(*AT_MEETING).when(meeting_concluded(MeetingOutcome.NOT_BEING_DRAWN_IN)).then(
        recorded(
            StrategyMeetingConcluded, outcome=MeetingOutcome.NOT_BEING_DRAWN_IN, action_plan=()
        )
    )
    given(*AT_MEETING).when(
        lambda case: case.referral.conclude_strategy_meeting(
            case.by(CHAIR),
            StrategyMeetingDecision(
                outcome=MeetingOutcome.ALTERNATIVE_SUPPORT,
                actions=(MENTORING,),
                review_on=case.today + timedelta(days=30),
                rationale=None,
            ),
        )
    ).then_invalid("actions")
    not_drawn_in = given(*AT_MEETING, meeting_concluded(MeetingOutcome.NOT_BEING_DRAWN_IN))
    assert not_drawn_in.turn().referral.state.stage == "exit_agreed"
