"""A record stored by an older version of an event class is read as the current version."""

from __future__ import annotations

from pathlib import Path

from eventsourcing.persistence import StoredEvent
from fastapi import FastAPI

from api.bootstrap import Runtime
from tests.api_client import Api
from tests.support import referral_form

STORED_V1 = Path(__file__).parent.parent / "fixtures" / "referral_screened_out_v1.json"


def test_a_version_1_screening_out_is_read_as_version_2_everywhere(api: Api, app: FastAPI) -> None:
    referral_id = api.received(referral_form())
    api.ok(referral_id, "security-checks", by="triage-1")
    runtime: Runtime = app.state.runtime
    runtime.ledger.recorder.insert_events(
        [
            StoredEvent(
                originator_id=referral_id,
                originator_version=3,
                topic="vtr.referral.ReferralScreenedOut",
                state=STORED_V1.read_bytes(),
            )
        ]
    )
    runtime.projections.wake()

    screened_out = api.history(referral_id)[-1]
    assert screened_out["event"] == "ReferralScreenedOut"
    assert screened_out["class_version"] == 2
    assert screened_out["data"] == {"reasons": ["malicious"], "other_reason": None}
    assert screened_out["actor_id"] == "triage-1"

    # The aggregate replays through it, so the process goes on from there.
    api.versions[referral_id] = 3
    api.ok(
        referral_id,
        "alternative-support-referral",
        {"referred_on": "2026-03-02", "support_provider": "Early Help"},
        by="triage-1",
    )
    case = api.case(referral_id, after=api.log_position())
    assert case["screening"]["reasons"] == ["malicious"]
    assert case["stage"] == "referred_to_alternative_support"
