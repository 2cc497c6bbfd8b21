"""Property: any sequence of section 8 and erasure commands on a case with disclosures either
records events that replay to the live state, or is refused and records nothing; and the
history it leaves keeps the rules of section 8 whatever the order of the attempts.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from aggregates.errors import DomainError
from commands.agency import RegisterAgency
from commands.application import command_model
from commands.context import Issued, Outcome
from commands.errors import ApplicationError
from commands.intake import ReceiveReferral
from events.base import DomainEvent
from events.disposal import (
    AgencyInvolvementEnded,
    DisposalConfirmed,
    DisposalObligationRaised,
    LegalHoldLifted,
    LegalHoldPlaced,
)
from events.erasure import ErasureApproved, ErasureExecuted, ErasureRequested
from tests.integration.test_process_properties import RecordingLedger, ledger, stored
from tests.sharing_support import AGENCY_TYPES, CHILDRENS, MENTORS, POLICE, SCHOOL, disclosure
from tests.support import ACTORS, FixedClock, referral_form

__all__ = ["ledger"]  # the module-scoped ledger fixture, shared with the process properties
ERASURE_STEPS = {"request_erasure", "approve_erasure", "execute_erasure"}
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
    app, _clock = ledger
    return {
        name: app.register_agency(
            RegisterAgency.model_validate({"name": name, "agency_type": kind}),
            Issued(ACTORS["triage-1"], uuid4()),
        ).aggregate_id
        for name, kind in AGENCY_TYPES.items()
        if name in {POLICE, SCHOOL, CHILDRENS, MENTORS}
    }


def case_with_disclosures(
    app: RecordingLedger, clock: FixedClock, agencies: dict[str, UUID]
) -> UUID:
    clock.moment = datetime(2026, 3, 5, 9, tzinfo=UTC)
    referral_id = app.receive_referral(
        ReceiveReferral.model_validate(referral_form(received_at="2026-03-05T08:00:00Z")),
        Issued(ACTORS["triage-1"], uuid4()),
    ).aggregate_id
    schedule = {
        "scheduled_for": "2026-03-05T14:00:00Z",
        "lead_officer": "police-1",
        "social_care_service": "childrens_services",
        "social_care_representative": "cs-1",
    }
    recipients = [agencies[SCHOOL], agencies[CHILDRENS]]
    steps = [
        ("record_security_checks", {}, "triage-1"),
        ("screen_in", {}, "triage-1"),
        ("schedule_strategy_discussion", schedule, "police-1"),
        ("disclose", disclosure(agencies[POLICE], recipients), "police-1"),
        ("disclose", disclosure(agencies[POLICE], [agencies[SCHOOL]]), "police-1"),
    ]
    for version, (name, body, actor) in enumerate(steps, start=1):
        if name == "disclose":
            clock.moment = datetime(2026, 3, 5, 15, tzinfo=UTC)
        send(app, referral_id, name, {"expected_version": version, **body}, actor)
    return referral_id


def send(
    app: RecordingLedger, referral_id: UUID, name: str, body: dict[str, Any], actor: str
) -> Outcome:
    issued = Issued(ACTORS[actor], uuid4())
    handle = getattr(app, name)
    if name in ERASURE_STEPS:
        command = command_model(name).model_validate({**body, "referral_id": referral_id})
        outcome: Outcome = handle(command, issued)
    else:
        outcome = handle(referral_id, command_model(name).model_validate(body), issued)
    return outcome


def attempt(
    data: st.DataObject, clock: FixedClock, agencies: dict[str, UUID]
) -> tuple[str, dict[str, Any], str]:
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
    return name, fields[name], actor


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
    referral_id = case_with_disclosures(app, clock, directory)
    for _ in range(data.draw(st.integers(3, 25), label="length")):
        before = stored(app, referral_id)
        clock.advance(days=data.draw(st.integers(0, 3)))
        name, body, actor = attempt(data, clock, directory)
        try:
            send(app, referral_id, name, {"expected_version": before.version, **body}, actor)
        except (DomainError, ApplicationError, ValidationError):
            after = stored(app, referral_id)
            assert (after.version, after.state) == (before.version, before.state), name
            continue
        after = stored(app, referral_id)
        assert after.version > before.version
        assert app.live == after.state, f"replay of {name} differs from the live state"
    history = [event for _, event in app.history(referral_id)]
    check_the_history(history)
