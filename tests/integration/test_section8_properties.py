"""Property: any sequence of section 8 and erasure commands on a case with disclosures either
records events that replay to the live state, or is refused and records nothing; and the
history it leaves keeps the rules of section 8 whatever the order of the attempts.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.base import DomainEvent
from events.disposal import (
    AgencyInvolvementEnded,
    DisposalConfirmed,
    DisposalObligationRaised,
    LegalHoldLifted,
    LegalHoldPlaced,
)
from events.erasure import ErasureApproved, ErasureExecuted, ErasureRequested
from scenarios import builder, steps
from scenarios.builder import Case
from scenarios.drivers import REFUSALS
from scenarios.step import Step
from tests.integration.test_process_properties import (
    RecordingLedger,
    ledger,
    scenario_on,
    stored,
)
from tests.sharing_support import AGENCY_TYPES, CHILDRENS, MENTORS, POLICE, SCHOOL
from tests.support import ACTORS, FixedClock, referral_form

__all__ = ["ledger"]  # the module-scoped ledger fixture, shared with the process properties
DISCUSSION = "2026-03-05T14:00:00Z"
# Weighted: ending involvement and confirming come up most, holds and retention least.
STEPS = (
    *["end_agency_involvement"] * 3,
    *["confirm_disposal"] * 5,
    "place_legal_hold",
    *["lift_legal_hold"] * 2,
    "review_retention",
    "request_erasure",
    *["approve_erasure", "execute_erasure"] * 3,
)
# Who would take each step in the process (the generator sometimes picks anyone instead).
EXPECTED_ACTOR = {
    "end_agency_involvement": "triage-1",
    "place_legal_hold": "dpo-1",
    "lift_legal_hold": "dpo-1",
    "review_retention": "dpo-1",
    "request_erasure": "dpo-1",
    "approve_erasure": "dpo-2",
    "execute_erasure": "dpo-1",
}
HELD = (DisposalConfirmed, ErasureApproved, ErasureExecuted)


@pytest.fixture(scope="module")
def directory(ledger: tuple[RecordingLedger, FixedClock]) -> dict[str, UUID]:
    app, clock = ledger
    agencies = {name: AGENCY_TYPES[name] for name in (POLICE, SCHOOL, CHILDRENS, MENTORS)}
    return scenario_on(app, clock).register(agencies)


def case_with_disclosures(app: RecordingLedger, clock: FixedClock) -> Case:
    """At its strategy discussion on 5 March, the police disclosed twice (to the school and
    children's services, then to the school alone)."""
    scenario = scenario_on(app, clock).at(datetime(2026, 3, 5, 9, tzinfo=UTC))
    form = referral_form(received_at="2026-03-05T08:00:00Z")
    case = scenario.case(steps.referral_received(form))
    case.then(builder.to_screened_in(), steps.discussion_scheduled(scheduled_for=DISCUSSION))
    return case.at(datetime(2026, 3, 5, 15, tzinfo=UTC)).then(
        steps.disclosed(POLICE, [SCHOOL, CHILDRENS]), steps.disclosed(POLICE, [SCHOOL])
    )


def attempt(data: st.DataObject, clock: FixedClock, agencies: dict[str, UUID]) -> Step:
    """Any section 8 command, by any of the people concerned, with fields often wrong."""
    name = data.draw(st.sampled_from(STEPS))
    today = clock.now().date()
    offset = data.draw(st.integers(-3, 2))
    day = (today + timedelta(days=offset)).isoformat()
    fields: dict[str, dict[str, Any]] = {
        "end_agency_involvement": {
            "agency_id": str(agencies[data.draw(st.sampled_from([SCHOOL, CHILDRENS, MENTORS]))]),
            "ended_on": day,
            "reason": "role_in_risk_management_ended",
        },
        "confirm_disposal": {
            "obligation_no": data.draw(st.integers(1, 3)),
            "method": data.draw(st.sampled_from(["deleted", "returned"])),
            "disposed_on": day,
            "complete": data.draw(st.booleans()),
        },
        "place_legal_hold": {"ground": "litigation", "reason": "Claim"},
        "lift_legal_hold": {"reason": "Settled"},
        "review_retention": {"reviewed_on": day, "decision": "erase", "reason": "Schedule"},
        "request_erasure": {
            "key_groups": data.draw(
                st.lists(st.sampled_from(["subject", "third_party", "referrer"]), min_size=1)
            ),
            "ground": "uk_gdpr_art_17_1_a_no_longer_necessary",
            "reason": "Not needed",
        },
        "approve_erasure": {"request_no": data.draw(st.integers(1, 2))},
        "execute_erasure": {"request_no": data.draw(st.integers(1, 2))},
    }
    anyone = st.sampled_from(["school-1", "cs-1", "police-1", "dpo-1", "dpo-2"])
    recipient = st.sampled_from(["school-1", "cs-1"])
    expected = st.just(EXPECTED_ACTOR[name]) if name in EXPECTED_ACTOR else recipient
    actor = data.draw(st.one_of(expected, expected, expected, anyone))
    return steps.SECTION_8_STEPS[name]().but(**fields[name]).taken_by(ACTORS[actor])


def check_the_history(events: list[DomainEvent]) -> None:
    """What section 8 promises of any history, whatever was attempted."""
    held = False
    ended: set[UUID] = set()
    complete: set[int] = set()
    requested_by: dict[int, str] = {}
    for event in events:
        if isinstance(event, LegalHoldPlaced | LegalHoldLifted):
            held = isinstance(event, LegalHoldPlaced)
        assert not (held and isinstance(event, HELD)), f"{event.TOPIC} under a legal hold"
        if isinstance(event, AgencyInvolvementEnded):
            ended.add(event.agency.agency_id)
        if isinstance(event, DisposalObligationRaised):
            assert event.agency.agency_id in ended
        if isinstance(event, DisposalConfirmed):
            assert event.obligation_no not in complete, "confirmed after its discharge"
            if event.complete:
                complete.add(event.obligation_no)
        if isinstance(event, ErasureRequested):
            requested_by[event.request_no] = event.audit.actor_id
        if isinstance(event, ErasureApproved):
            assert event.audit.actor_id != requested_by[event.request_no]


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_section_8_commands_replay_to_the_live_state_and_keep_its_rules(
    ledger: tuple[RecordingLedger, FixedClock], directory: dict[str, UUID], data: st.DataObject
) -> None:
    app, clock = ledger
    case = case_with_disclosures(app, clock)
    referral_id = case.referral_id
    for _ in range(data.draw(st.integers(3, 25), label="length")):
        before = stored(app, referral_id)
        clock.advance(days=data.draw(st.integers(0, 3)))
        step = attempt(data, clock, directory).but(expected_version=before.version)
        try:
            case.then(step)
        except REFUSALS:
            after = stored(app, referral_id)
            assert (after.version, after.state) == (before.version, before.state), step.command
            continue
        after = stored(app, referral_id)
        assert after.version > before.version
        assert app.live == after.state, f"replay of {step.command} differs from the live state"
    history = [event for _, event in app.history(referral_id)]
    check_the_history(history)
