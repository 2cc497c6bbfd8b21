"""Given a referral at a stage, when a step is attempted, then the rule that refuses it is named."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from aggregates.errors import InvalidInstructionError, NotPermittedError, ProcessRuleViolationError
from aggregates.referral import Referral
from aggregates.referral_evolution import evolve
from aggregates.referral_state import Stage
from events.personal import KeyGroup
from events.vocabulary import (
    AgeGroup,
    ContactMethod,
    DiscussionOutcome,
    DisputedDecision,
    DisputeOutcome,
    ErasureGround,
    FeedbackPoint,
    PostExitReviewOutcome,
    PostExitReviewPoint,
    ReferrerInvolvement,
    ReviewOutcome,
    Role,
    SignatoryCapacity,
)
from tests.unit.referral_story import ACTION, ASSESSMENT, Story

Step = Callable[[Story], None]


def notify(point: FeedbackPoint) -> Step:
    return lambda s: s.referral.notify_referrer(
        s.by(), point, s.at, "Referrer", "triage-1", ContactMethod.EMAIL
    )


def review(outcome: ReviewOutcome, next_in: int | None, amended: bool = False) -> Step:
    return lambda s: s.referral.hold_review(
        s.by("chair-1", Role.MEETING_CHAIR),
        s.today,
        outcome,
        s.today + timedelta(days=next_in) if next_in is not None else None,
        [ACTION] if amended else None,
        "notes",
    )


def post_exit(point: PostExitReviewPoint) -> Step:
    return lambda s: s.referral.record_post_exit_review(
        s.by("chair-1", Role.MEETING_CHAIR),
        point,
        s.today,
        PostExitReviewOutcome.NO_FURTHER_CONCERN,
        None,
    )


def disputed(s: Story) -> Story:
    s.referral.raise_dispute(s.by("police-2", Role.POLICE), DisputedDecision.OTHER, "grounds")
    return s


def referred(s: Story) -> Story:
    disputed(s).referral.refer_dispute(s.by(), 1, "hos-1", "dsupt-1")
    return s


def resolved(s: Story) -> Story:
    referred(s).referral.resolve_dispute(
        s.by("hos-1", Role.HEAD_OF_SAFEGUARDING), 1, DisputeOutcome.UPHELD, "r"
    )
    return s


def _checked(story: Story) -> Story:
    story.referral.record_security_checks(story.by())
    return story


def _consult(story: Story) -> None:
    story.referral.consult_referrer(story.by(), ReferrerInvolvement.CONSULTED, None)


def _consulted(story: Story) -> Story:
    _consult(story)
    return story


def _assessed(story: Story) -> Story:
    story.referral.record_risk_assessment(story.by(), ASSESSMENT)
    return story


def _notified(story: Story) -> Story:
    notify(FeedbackPoint.STRATEGY_DISCUSSION)(story)
    return story


def _six_month_done(story: Story) -> Story:
    post_exit(PostExitReviewPoint.SIX_MONTHS)(story)
    return story


RULES: list[tuple[str, Callable[[], Story], Step]] = [
    (
        "security-checks-once",
        lambda: _checked(Story()),
        lambda s: s.referral.record_security_checks(s.by()),
    ),
    (
        "no-further-information-requested",
        Story,
        lambda s: s.referral.return_further_information(s.by(), "x"),
    ),
    (
        "risk-assessment-before-decision",
        lambda: _consulted(Story().discussion_scheduled()),
        lambda s: s.referral.conclude_strategy_discussion(
            s.by(), DiscussionOutcome.EXIT, None, "r"
        ),
    ),
    (
        "signature-from-discussion-service",
        lambda: Story().discussion_decided(),
        lambda s: s.referral.sign_mash_decision(
            s.by("ass-1", Role.ADULT_SOCIAL_SERVICES), SignatoryCapacity.ADULT_SOCIAL_SERVICES
        ),
    ),
    (
        "feedback-after-decision",
        lambda: Story().discussion_decided(),
        notify(FeedbackPoint.STRATEGY_DISCUSSION),
    ),
    ("feedback-after-conclusion", lambda: Story().in_support(), notify(FeedbackPoint.CONCLUSION)),
    (
        "feedback-once",
        lambda: _notified(Story().signed()),
        notify(FeedbackPoint.STRATEGY_DISCUSSION),
    ),
    (
        "exit-must-be-agreed",
        lambda: Story().in_support(),
        lambda s: s.referral.conclude_process(s.by(), s.today, None),
    ),
    (
        "alternative-support-must-be-agreed",
        lambda: Story().exit_agreed(),
        lambda s: s.referral.refer_to_alternative_support(s.by(), s.today, "Early Help", None),
    ),
    (
        "one-open-dispute",
        lambda: disputed(Story()),
        lambda s: s.referral.raise_dispute(s.by(), DisputedDecision.OTHER, "again"),
    ),
    (
        "dispute-already-referred",
        lambda: referred(Story()),
        lambda s: s.referral.refer_dispute(s.by(), 1, "hos-1", "dsupt-1"),
    ),
    (
        "dispute-already-resolved",
        lambda: resolved(Story()),
        lambda s: s.referral.resolve_dispute(s.by(), 1, DisputeOutcome.UPHELD, "again"),
    ),
    (
        "no-conclusion-with-open-dispute",
        lambda: disputed(Story().exit_agreed()),
        lambda s: s.referral.conclude_process(s.by(), s.today, None),
    ),
    (
        "post-exit-reviews-in-order",
        lambda: Story().concluded(),
        post_exit(PostExitReviewPoint.TWELVE_MONTHS),
    ),
    (
        "post-exit-reviews-in-order",
        lambda: _six_month_done(Story().concluded()),
        post_exit(PostExitReviewPoint.SIX_MONTHS),
    ),
    ("step-not-allowed-at-this-stage", Story, _consult),
    (
        "step-not-allowed-at-this-stage",
        lambda: Story().concluded(),
        review(ReviewOutcome.CONTINUE, 30),
    ),
]


@pytest.mark.parametrize(("rule", "given", "when"), RULES, ids=[rule for rule, _, _ in RULES])
def test_the_process_refuses_the_step_and_names_the_rule(
    rule: str, given: Callable[[], Story], when: Step
) -> None:
    story = given()
    story.referral.collect_events()
    state_before = story.referral.state.model_copy(deep=True)
    with pytest.raises(ProcessRuleViolationError) as refusal:
        when(story)
    assert refusal.value.rule.code == rule
    assert story.referral.collect_events() == []
    assert story.referral.state == state_before


INVALID: list[tuple[str, Callable[[], Story], Step]] = [
    (
        "next_review_on",
        lambda: Story().in_support().later(days=35),
        review(ReviewOutcome.CONTINUE, None),
    ),
    (
        "next_review_on",
        lambda: Story().in_support().later(days=35),
        review(ReviewOutcome.CONCLUDE, 30),
    ),
    (
        "amended_actions",
        lambda: Story().in_support().later(days=35),
        review(ReviewOutcome.AMEND_PLAN, 30),
    ),
    (
        "amended_actions",
        lambda: Story().in_support().later(days=35),
        review(ReviewOutcome.CONTINUE, 30, amended=True),
    ),
    (
        "held_on",
        lambda: Story().in_support(),
        lambda s: s.referral.hold_review(
            s.by(),
            s.today + timedelta(days=1),
            ReviewOutcome.CONTINUE,
            s.today + timedelta(days=30),
            None,
            "n",
        ),
    ),
    (
        "vtr_category",
        lambda: _assessed(_consulted(Story().discussion_scheduled())),
        lambda s: s.referral.conclude_strategy_discussion(
            s.by(), DiscussionOutcome.EXIT, "Cat", "r"
        ),
    ),
    ("dispute_no", Story, lambda s: s.referral.refer_dispute(s.by(), 7, "hos-1", "dsupt-1")),
    (
        "notified_at",
        lambda: Story().signed(),
        lambda s: s.referral.notify_referrer(
            s.by(),
            FeedbackPoint.STRATEGY_DISCUSSION,
            s.at + timedelta(minutes=1),
            "R",
            "t",
            ContactMethod.EMAIL,
        ),
    ),
]


@pytest.mark.parametrize(("field", "given", "when"), INVALID, ids=[f for f, _, _ in INVALID])
def test_instructions_that_contradict_the_case_name_the_field(
    field: str, given: Callable[[], Story], when: Step
) -> None:
    story = given()
    story.referral.collect_events()
    with pytest.raises(InvalidInstructionError) as refusal:
        when(story)
    assert refusal.value.field == field
    assert story.referral.collect_events() == []


def test_only_a_signatory_role_can_sign_its_box() -> None:
    story = Story().discussion_decided()
    with pytest.raises(NotPermittedError):
        story.referral.sign_mash_decision(
            story.by("chair-1", Role.MEETING_CHAIR), SignatoryCapacity.POLICE
        )


def test_an_adult_case_is_signed_by_adult_social_services_and_moves_to_the_meeting() -> None:
    story = Story(AgeGroup.ADULT).signed()
    assert story.referral.state.stage is Stage.AWAITING_STRATEGY_MEETING


def test_each_discussion_outcome_leads_where_section_2_says() -> None:
    assert Story().signed(DiscussionOutcome.EXIT).referral.state.stage is Stage.EXIT_AGREED
    assert (
        Story().signed(DiscussionOutcome.ALTERNATIVE_SUPPORT).referral.state.stage
        is Stage.ALTERNATIVE_SUPPORT_AGREED
    )


def test_replaying_the_events_rebuilds_the_same_state() -> None:
    story = Story().concluded()
    events = story.referral.collect_events()
    assert len(events) == story.referral.version
    rebuilt = Referral.project(None, events)
    assert rebuilt is not None
    assert rebuilt.state == story.referral.state


def test_a_history_must_start_with_the_referral_and_hold_it_once() -> None:
    events = Story().screened_in().referral.collect_events()
    with pytest.raises(TypeError, match="must start with ReferralReceived"):
        evolve(None, events[1])
    with pytest.raises(TypeError, match="does not apply"):
        Referral.project(None, [events[0], events[0].model_copy(update={"originator_version": 2})])


def test_only_compliance_officers_erase_even_past_the_api() -> None:
    story = Story()
    story.referral.collect_events()  # the receipt, recorded before
    with pytest.raises(NotPermittedError) as refusal:
        story.referral.request_erasure(
            story.by("triage-1", Role.MASH_TRIAGE),
            [KeyGroup.SUBJECT],
            ErasureGround.NO_LONGER_NECESSARY,
            "Not needed",
        )
    assert refusal.value.rule.code == "compliance-officer-only"
    assert story.referral.collect_events() == []
