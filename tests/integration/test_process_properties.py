"""Property: any sequence of commands either records events that replay to the live state,
or is refused and records nothing.

Hypothesis mixes sensible next steps (so deep stages are reached) with arbitrary commands,
arbitrary actors and stale versions, against the real ledger on an SQLite file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from hypothesis import HealthCheck, given, settings, target
from hypothesis import strategies as st
from pydantic import ValidationError

from aggregates.errors import DomainError
from aggregates.referral import Referral
from aggregates.referral_state import ReferralState, Stage
from api.bootstrap import open_runtime
from api.settings import Settings
from commands.application import ReferralLedger, command_model
from commands.context import Issued, Outcome
from commands.errors import ApplicationError
from commands.intake import ReceiveReferral
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
from tests.lifecycle import RISK_ASSESSMENT
from tests.support import ACTORS, DUAL_ROLE, FixedClock, referral_form

ACTION = {"description": "Mentoring", "lead_agency": "School"}
COMMANDS = (
    "record_security_checks",
    "request_further_information",
    "return_further_information",
    "screen_out",
    "screen_in",
    "schedule_strategy_discussion",
    "consult_referrer",
    "record_risk_assessment",
    "conclude_strategy_discussion",
    "sign_mash_decision",
    "notify_referrer",
    "convene_strategy_meeting",
    "conclude_strategy_meeting",
    "hold_review",
    "conclude_process",
    "refer_to_alternative_support",
    "record_post_exit_review",
    "raise_dispute",
    "refer_dispute",
    "resolve_dispute",
)
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


def arbitrary(data: st.DataObject, clock: FixedClock) -> tuple[str, dict[str, Any]]:
    """Any command, with fields that are often wrong for the moment."""
    name = data.draw(st.sampled_from(sorted(COMMANDS)))
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
        "record_risk_assessment": {"assessment": RISK_ASSESSMENT},
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
    return name, fields.get(name, {})


Choose = Callable[[list[Any]], Any]


def sensible(state: ReferralState, choose: Choose, clock: FixedClock) -> tuple[str, dict[str, Any]]:  # noqa: C901, PLR0911, PLR0912 (one step per stage)
    """The step the guidance expects next, with valid fields (moving the clock if needed).

    Where the guidance allows several, `choose` picks; each list starts with the option that
    moves the case furthest towards its end.
    """
    stage = state.stage
    if state.open_dispute is not None and choose([True, False]):
        dispute = state.open_dispute
        if dispute.referred_at is None:
            return "refer_dispute", {
                "dispute_no": dispute.dispute_no,
                "head_of_safeguarding": "hos-1",
                "detective_superintendent": "dsupt-1",
            }
        return "resolve_dispute", {
            "dispute_no": dispute.dispute_no,
            "outcome": "withdrawn",
            "resolution": "settled",
        }
    if stage is Stage.TRIAGE:
        if state.security_checks_recorded_at is None:
            return "record_security_checks", {}
        step: tuple[str, dict[str, Any]] = choose(
            [
                ("screen_in", {}),
                ("screen_out", {"reasons": ["malicious"]}),
                ("request_further_information", {"information_needed": "more"}),
            ]
        )
        return step
    if stage is Stage.AWAITING_FURTHER_INFORMATION:
        return "return_further_information", {"information_summary": "here"}
    if stage is Stage.AWAITING_STRATEGY_DISCUSSION:
        service = (
            "adult_social_services" if state.subject_age_group == "adult" else "childrens_services"
        )
        return "schedule_strategy_discussion", {
            "scheduled_for": moment(clock, 1),
            "lead_officer": "police-1",
            "social_care_service": service,
            "social_care_representative": "cs-1",
        }
    if stage is Stage.STRATEGY_DISCUSSION:
        discussion = state.strategy_discussion
        assert discussion is not None
        if not discussion.referrer_involvement:
            return "consult_referrer", {"involvement": "consulted"}
        if discussion.risk_assessments == 0:
            return "record_risk_assessment", {"assessment": RISK_ASSESSMENT}
        clock.moment = max(clock.moment, discussion.scheduled_for)
        outcome = choose(list(DiscussionOutcome))
        yes = outcome is DiscussionOutcome.VTR_APPROPRIATE
        return "conclude_strategy_discussion", {
            "outcome": outcome,
            "vtr_category": "Cat" if yes else None,
            "reasons": None if yes else "reasons",
        }
    if stage is Stage.AWAITING_SECTION_2_SIGNATURES:
        signed = (
            {sig.capacity for sig in state.strategy_discussion.signatures}
            if state.strategy_discussion
            else set()
        )
        if SignatoryCapacity.POLICE not in signed:
            return "sign_mash_decision", {"capacity": "police"}
        service = (
            state.strategy_discussion.social_care_service
            if state.strategy_discussion
            else "childrens_services"
        )
        return "sign_mash_decision", {"capacity": service}
    if stage is Stage.AWAITING_STRATEGY_MEETING:
        return "convene_strategy_meeting", {"meeting_at": moment(clock, 1), "chair": "chair-1"}
    if stage is Stage.STRATEGY_MEETING:
        assert state.strategy_meeting is not None
        clock.moment = max(clock.moment, state.strategy_meeting.meeting_at)
        outcome = choose(list(MeetingOutcome))
        support = outcome is MeetingOutcome.SUPPORT_PACKAGE
        return "conclude_strategy_meeting", {
            "outcome": outcome,
            "actions": [ACTION] if support else [],
            "review_on": day(clock, 35) if support else None,
        }
    if stage is Stage.SUPPORT_AND_REVIEW:
        if state.next_review_on is not None:
            clock.moment = max(
                clock.moment, datetime.combine(state.next_review_on, clock.moment.timetz())
            )
        outcome = choose([ReviewOutcome.CONCLUDE, ReviewOutcome.CONTINUE, ReviewOutcome.AMEND_PLAN])
        return "hold_review", {
            "held_on": day(clock, 0),
            "outcome": outcome,
            "next_review_on": None if outcome is ReviewOutcome.CONCLUDE else day(clock, 35),
            "amended_actions": [ACTION] if outcome is ReviewOutcome.AMEND_PLAN else None,
            "progress_notes": "progress",
        }
    if stage is Stage.EXIT_AGREED:
        return "conclude_process", {"concluded_on": day(clock, 0)}
    if stage in (Stage.ALTERNATIVE_SUPPORT_AGREED, Stage.SCREENED_OUT):
        return "refer_to_alternative_support", {
            "referred_on": day(clock, 0),
            "support_provider": "EH",
        }
    point = "six_months" if not state.post_exit_reviews else "twelve_months"
    return "record_post_exit_review", {
        "review_point": point,
        "reviewed_on": day(clock, 0),
        "outcome": "no_further_concern",
    }


def signatory_for(name: str, fields: dict[str, Any]) -> str:
    capacity = fields.get("capacity")
    return (
        {"police": "police-1", "childrens_services": "cs-1", "adult_social_services": "ass-1"}.get(
            str(capacity), "triage-1"
        )
        if name == "sign_mash_decision"
        else "triage-1"
    )


def send(
    ledger: ReferralLedger, referral_id: UUID, name: str, body: dict[str, Any], issued: Issued
) -> Outcome:
    command = command_model(name).model_validate(body)
    handle = getattr(ledger, name)
    outcome: Outcome = handle(referral_id, command, issued)
    return outcome


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
    clock.moment = datetime(2026, 3, 2, 9, tzinfo=clock.moment.tzinfo)
    received = app.receive_referral(
        ReceiveReferral.model_validate(
            referral_form(subject_age_group=age, received_at="2026-03-02T08:00:00Z")
        ),
        Issued(ACTORS["triage-1"], uuid4()),
    )
    referral_id = received.aggregate_id
    for _ in range(data.draw(st.integers(5, 45), label="length")):
        before = stored(app, referral_id)
        clock.advance(hours=data.draw(st.integers(0, 72)))
        if data.draw(st.integers(0, 9)) < 7:
            name, body = sensible(
                before.state, lambda options: data.draw(st.sampled_from(options)), clock
            )
            actor = ACTORS[signatory_for(name, body)]
        else:
            name, body = arbitrary(data, clock)
            actor = data.draw(st.sampled_from(EVERYONE))
        stale = data.draw(st.integers(0, 19)) == 0 and before.version > 1
        body = {"expected_version": before.version - 1 if stale else before.version, **body}
        try:
            outcome = send(app, referral_id, name, body, Issued(actor, uuid4()))
        except (DomainError, ApplicationError, ValidationError):
            after = stored(app, referral_id)
            assert after.version == before.version, f"refused {name} stored something"
            assert after.state == before.state
            continue
        after = stored(app, referral_id)
        assert not stale
        assert outcome.version == after.version == before.version + 1
        assert app.live == after.state, f"replay of {name} differs from the live state"
    target(STAGE_ORDER.index(stored(app, referral_id).state.stage), label="stage reached")


def test_sensible_steps_alone_reach_the_end_of_the_process(
    ledger: tuple[RecordingLedger, FixedClock],
) -> None:
    """A check on the generator itself: always taking the first option reaches the end."""
    app, clock = ledger
    clock.moment = datetime(2026, 3, 2, 9, tzinfo=clock.moment.tzinfo)
    referral_id = app.receive_referral(
        ReceiveReferral.model_validate(referral_form(received_at="2026-03-02T08:00:00Z")),
        Issued(ACTORS["triage-1"], uuid4()),
    ).aggregate_id
    stages: list[Stage] = []
    while len(stages) < 40:
        state = stored(app, referral_id).state
        stages.append(state.stage)
        if len(state.post_exit_reviews) == 2:
            break
        clock.advance(days=200 if state.closure else 1)
        name, body = sensible(state, lambda options: options[0], clock)
        send(
            app,
            referral_id,
            name,
            {"expected_version": state.version, **body},
            Issued(ACTORS[signatory_for(name, body)], uuid4()),
        )
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
