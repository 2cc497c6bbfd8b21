"""A referral rebuilt from its events is the referral that recorded them."""

from __future__ import annotations

import pytest

from aggregates.referral import Referral
from aggregates.referral_evolution import evolve
from tests.rules.harness import given
from tests.rules.histories import CONCLUDED, SCREENED_IN


def test_replaying_the_events_rebuilds_the_same_state() -> None:
    received = given()
    turn = received.turn()
    for step in CONCLUDED:
        step(turn)
    events = (*received.events, *turn.referral.collect_events())
    assert turn.referral.version == len(events)
    rebuilt = Referral.project(Referral.project(None, events[:5]), events[5:])
    assert rebuilt is not None
    assert rebuilt.state == turn.referral.state
    assert rebuilt.state.stage == "concluded"


def test_a_history_must_start_with_the_referral_and_hold_it_once() -> None:
    events = given(*SCREENED_IN).events
    with pytest.raises(TypeError, match="must start with ReferralReceived"):
        evolve(None, events[1])
    with pytest.raises(TypeError, match="does not apply"):
        Referral.project(None, [events[0], events[0].model_copy(update={"originator_version": 2})])
