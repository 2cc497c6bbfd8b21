"""Property: any sequence of commands either records events that replay to the live state,
or is refused and records nothing.

Hypothesis mixes sensible next steps (so deep stages are reached) with arbitrary commands,
arbitrary actors and stale versions, all drawn from the scenario builder's catalogue of
steps, against the real ledger on an SQLite file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings, target
from hypothesis import strategies as st

from aggregates.referral import Referral
from aggregates.referral_state import ReferralState, Stage
from api.bootstrap import open_runtime
from api.settings import Settings
from commands.application import ReferralLedger
from events.vocabulary import (
    ContactMethod,
    DiscussionOutcome,
    DisputedDecision,
    DisputeOutcome,
    FeedbackPoint,
    MeetingOutcome,
    PostExitReviewOutcome,
    PostExitReviewPoint,
    ReferrerInvolvement,
    ReviewOutcome,
    ScreeningOutReason,
    SignatoryCapacity,
    SocialCareService,
)
from scenarios import steps
from scenarios.builder import Case, Scenario
from scenarios.drivers import REFUSALS, LedgerDriver
from scenarios.step import FromNow, Part, Step
from tests.support import ACTORS, DUAL_ROLE, TEST_CAST, FixedClock, referral_form

ACTION = {"description": "Mentoring", "lead_agency": "School"}
EVERYONE = [*ACTORS.values(), *DUAL_ROLE]


class RecordingLedger(ReferralLedger):
    """Remembers the state of the referral it last saved, exactly as the aggregate decided it."""

    live: ReferralState | None = None

    def save(self, *objs: Any, **kwargs: Any) -> Any:
        recordings = super().save(*objs, **kwargs)
        for obj in objs:
            if isinstance(obj, Referral):
                self.live = obj.state.model_copy(deep=True)
        return recordings


@pytest.fixture(scope="module")
def ledger(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[RecordingLedger, FixedClock]]:
    root: Path = tmp_path_factory.mktemp("properties")
    settings_ = Settings(store="sqlite", data_dir=root)
    runtime = open_runtime(settings_)  # creates the stores and the key ring
    clock = FixedClock()
    recording = RecordingLedger(
        settings_.eventsourcing_env(), keyring=runtime.ledger.keyring, clock=clock
    )
    # Commands then load most cases from a snapshot and the events after it, so the
    # property also says a snapshot never changes what the ledger decides.
    recording.referral_snapshots.interval = 3
    yield recording, clock
    recording.close()
    runtime.close()


def moment(clock: FixedClock, days: int) -> str:
    return (clock.now() + timedelta(days=days)).isoformat()


def day(clock: FixedClock, days: int) -> str:
    return (clock.now().date() + timedelta(days=days)).isoformat()


def arbitrary(data: st.DataObject, clock: FixedClock) -> Step:
    """Any step of the catalogue, by anyone, with fields often wrong for the moment."""
    name = data.draw(st.sampled_from(sorted(steps.REFERRAL_STEPS)))
    offset = data.draw(st.integers(-40, 60))
    text = data.draw(st.sampled_from(["notes", "x" * 3]))

    def choice(values: Any) -> Any:
        return data.draw(st.sampled_from(list(values)))

    def maybe(value: Any) -> Any:
        return data.draw(st.sampled_from([None, value]))

    fields: dict[str, dict[str, Any]] = {
        "request_further_information": {"information_needed": text},
        "return_further_information": {"information_summary": text},
        "screen_out": {
            "reasons": data.draw(st.lists(st.sampled_from(list(ScreeningOutReason)), max_size=3)),
            "other_reason": maybe(text),
        },
        "screen_in": {"rationale": maybe(text)},
        "schedule_strategy_discussion": {
            "scheduled_for": moment(clock, offset),
            "lead_officer": "police-1",
            "social_care_service": choice(SocialCareService),
            "social_care_representative": "cs-1",
        },
        "consult_referrer": {"involvement": choice(ReferrerInvolvement)},
        "conclude_strategy_discussion": {
            "outcome": choice(DiscussionOutcome),
            "vtr_category": maybe("Cat"),
            "reasons": maybe(text),
        },
        "sign_mash_decision": {"capacity": choice(SignatoryCapacity)},
        "notify_referrer": {
            "feedback_point": choice(FeedbackPoint),
            "notified_at": moment(clock, min(offset, 1)),
            "notified_person": "Referrer",
            "method": choice(ContactMethod),
        },
        "convene_strategy_meeting": {"meeting_at": moment(clock, offset), "chair": "chair-1"},
        "conclude_strategy_meeting": {
            "outcome": choice(MeetingOutcome),
            "actions": data.draw(st.lists(st.just(ACTION), max_size=2)),
            "review_on": maybe(day(clock, offset)),
        },
        "hold_review": {
            "held_on": day(clock, min(offset, 0)),
            "outcome": choice(ReviewOutcome),
            "next_review_on": maybe(day(clock, offset)),
            "amended_actions": maybe([ACTION]),
            "progress_notes": text,
        },
        "conclude_process": {"concluded_on": day(clock, min(offset, 0))},
        "refer_to_alternative_support": {
            "referred_on": day(clock, min(offset, 0)),
            "support_provider": "Early Help",
        },
        "record_post_exit_review": {
            "review_point": choice(PostExitReviewPoint),
            "reviewed_on": day(clock, min(offset, 0)),
            "outcome": choice(PostExitReviewOutcome),
        },
        "raise_dispute": {"disputed_decision": choice(DisputedDecision), "grounds": text},
        "refer_dispute": {
            "dispute_no": data.draw(st.integers(1, 3)),
            "head_of_safeguarding": "hos-1",
            "detective_superintendent": "dsupt-1",
        },
        "resolve_dispute": {
            "dispute_no": data.draw(st.integers(1, 3)),
            "outcome": choice(DisputeOutcome),
            "resolution": text,
        },
    }
    anyone = data.draw(st.sampled_from(EVERYONE))
    return steps.REFERRAL_STEPS[name]().but(**fields.get(name, {})).taken_by(anyone)


Choose = Callable[[list[Any]], Any]


def sensible(state: ReferralState, choose: Choose, clock: FixedClock) -> Step:  # noqa: C901, PLR0911, PLR0912 (one step per stage)
    """The step the guidance expects next, from the catalogue (moving the clock if needed).

    Where the guidance allows several, `choose` picks; each list starts with the option that
    moves the case furthest towards its end.
    """
    stage = state.stage
    if state.open_dispute is not None and choose([True, False]):
        dispute = state.open_dispute
        if dispute.referred_at is None:
            return steps.dispute_referred(dispute.dispute_no)
        return steps.dispute_resolved(dispute.dispute_no, "withdrawn")
    if stage is Stage.TRIAGE:
        if state.security_checks_recorded_at is None:
            return steps.security_checks_recorded()
        step: Step = choose(
            [
                steps.screened_in(),
                steps.screened_out("malicious"),
                steps.further_information_requested("more"),
            ]
        )
        return step
    if stage is Stage.AWAITING_FURTHER_INFORMATION:
        return steps.further_information_returned("here")
    if stage is Stage.AWAITING_STRATEGY_DISCUSSION:
        adult = state.subject_age_group == "adult"
        service = Part.ADULT_SOCIAL_SERVICES if adult else Part.CHILDRENS_SERVICES
        return steps.discussion_scheduled(service, scheduled_for=FromNow(days=1))
    if stage is Stage.STRATEGY_DISCUSSION:
        discussion = state.strategy_discussion
        assert discussion is not None
        if not discussion.referrer_involvement:
            return steps.referrer_consulted()
        if discussion.risk_assessments == 0:
            return steps.risk_assessed()
        clock.moment = max(clock.moment, discussion.scheduled_for)
        return steps.discussion_held(choose(list(DiscussionOutcome)))
    if stage is Stage.AWAITING_SECTION_2_SIGNATURES:
        assert state.strategy_discussion is not None
        signed = {sig.capacity for sig in state.strategy_discussion.signatures}
        if SignatoryCapacity.POLICE not in signed:
            return steps.mash_decision_signed(Part.POLICE)
        return steps.mash_decision_signed(Part(state.strategy_discussion.social_care_service))
    if stage is Stage.AWAITING_STRATEGY_MEETING:
        return steps.meeting_convened(FromNow(days=1))
    if stage is Stage.STRATEGY_MEETING:
        assert state.strategy_meeting is not None
        clock.moment = max(clock.moment, state.strategy_meeting.meeting_at)
        return steps.meeting_held(choose(list(MeetingOutcome)))
    if stage is Stage.SUPPORT_AND_REVIEW:
        if state.next_review_on is not None:
            clock.moment = max(
                clock.moment, datetime.combine(state.next_review_on, clock.moment.timetz())
            )
        outcomes = [ReviewOutcome.CONCLUDE, ReviewOutcome.CONTINUE, ReviewOutcome.AMEND_PLAN]
        return steps.reviewed(choose(outcomes))
    if stage is Stage.EXIT_AGREED:
        return steps.process_concluded()
    if stage in (Stage.ALTERNATIVE_SUPPORT_AGREED, Stage.SCREENED_OUT):
        return steps.referred_to_alternative_support("EH")
    return steps.post_exit_reviewed("twelve_months" if state.post_exit_reviews else "six_months")


def scenario_on(app: ReferralLedger, clock: FixedClock) -> Scenario:
    return Scenario(LedgerDriver(app), TEST_CAST, clock)


def received(scenario: Scenario, age: str = "child") -> Case:
    """A referral received at 09:00 on 2 March 2026 (the clock set back there)."""
    scenario.at(datetime(2026, 3, 2, 9, tzinfo=UTC))
    form = referral_form(subject_age_group=age, received_at="2026-03-02T08:00:00Z")
    return scenario.case(steps.referral_received(form))


def stored(ledger: ReferralLedger, referral_id: UUID) -> Referral:
    """The referral as replayed from the store, through the real mapper."""
    replayed = Referral.project(None, ledger.events.get(referral_id))
    assert replayed is not None
    return replayed


STAGE_ORDER = list(Stage)


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), age=st.sampled_from(["child", "adult", "unknown"]))
def test_accepted_commands_replay_to_the_live_state_and_refused_ones_store_nothing(
    ledger: tuple[RecordingLedger, FixedClock], data: st.DataObject, age: str
) -> None:
    app, clock = ledger
    case = received(scenario_on(app, clock), age)
    referral_id = case.referral_id
    for _ in range(data.draw(st.integers(5, 45), label="length")):
        before = stored(app, referral_id)
        clock.advance(hours=data.draw(st.integers(0, 72)))
        if data.draw(st.integers(0, 9)) < 7:
            step = sensible(
                before.state, lambda options: data.draw(st.sampled_from(options)), clock
            )
        else:
            step = arbitrary(data, clock)
        stale = data.draw(st.integers(0, 19)) == 0 and before.version > 1
        step = step.but(expected_version=before.version - 1 if stale else before.version)
        try:
            case.then(step)
        except REFUSALS:
            after = stored(app, referral_id)
            assert after.version == before.version, f"refused {step.command} stored something"
            assert after.state == before.state
            continue
        after = stored(app, referral_id)
        assert not stale
        assert case.version == after.version == before.version + 1
        assert app.live == after.state, f"replay of {step.command} differs from the live state"
    target(STAGE_ORDER.index(stored(app, referral_id).state.stage), label="stage reached")


def test_sensible_steps_alone_reach_the_end_of_the_process(
    ledger: tuple[RecordingLedger, FixedClock],
) -> None:
    """A check on the generator itself: always taking the first option reaches the end."""
    app, clock = ledger
    case = received(scenario_on(app, clock))
    stages: list[Stage] = []
    while len(stages) < 40:
        state = stored(app, case.referral_id).state
        stages.append(state.stage)
        if len(state.post_exit_reviews) == 2:
            break
        clock.advance(days=200 if state.closure else 1)
        case.then(sensible(state, lambda options: options[0], clock))
    assert stages[-1] is Stage.CONCLUDED
    assert set(stages) >= {
        Stage.TRIAGE,
        Stage.AWAITING_STRATEGY_DISCUSSION,
        Stage.STRATEGY_DISCUSSION,
        Stage.AWAITING_SECTION_2_SIGNATURES,
        Stage.AWAITING_STRATEGY_MEETING,
        Stage.STRATEGY_MEETING,
        Stage.SUPPORT_AND_REVIEW,
        Stage.EXIT_AGREED,
    }
