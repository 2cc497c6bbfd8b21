"""The measured work: single-event commands through the ledger, and rebuilding the case view."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

from api.bootstrap import open_runtime
from api.settings import Settings
from commands.application import ReferralLedger, command_model
from commands.context import Actor, Issued
from commands.intake import ReceiveReferral
from events.vocabulary import Role

TRIAGE = Actor.for_agency("bench-triage", Role.MASH_TRIAGE, "Norfolk MASH")
POLICE = Actor.for_agency("bench-police", Role.POLICE, "Norfolk Constabulary")

FORM: dict[str, Any] = {
    "received_at": "2026-03-02T08:15:00Z",
    "received_via": "mash_email",
    "referring_agency": "Bench High School",
    "subject_age_group": "child",
    "subject": {
        "full_name": "Bench Subject",
        "date_of_birth": "2010-01-01",
        "address": {"lines": ["1 Bench Road", "Norwich"], "postcode": "NR99 9ZZ"},
    },
    "partner_and_parents": [{"relationship": "parent", "full_name": "Bench Parent"}],
    "concern": {
        "reasons_for_referral": "Synthetic benchmark referral.",
        "background_and_risk": "None; generated for measurement.",
    },
    "referrer": {
        "full_name": "Bench Referrer",
        "position": "DSL",
        "contact": {"email": "dsl@bench.example"},
    },
}

# Six commands that each record one event, in the order the process allows them.
STEPS: list[tuple[str, Actor, dict[str, Any]]] = [
    ("security-checks", TRIAGE, {}),
    ("further-information-requests", TRIAGE, {"information_needed": "Attendance record."}),
    ("further-information-returns", TRIAGE, {"information_summary": "Attendance 90%."}),
    ("screen-in", TRIAGE, {"rationale": "Indicators present."}),
    (
        "strategy-discussion/schedule",
        POLICE,
        {
            "scheduled_for": "2026-03-05T14:00:00Z",
            "lead_officer": "bench-police",
            "social_care_service": "childrens_services",
            "social_care_representative": "bench-cs",
        },
    ),
    ("strategy-discussion/referrer-consultations", POLICE, {"involvement": "consulted"}),
]
# The ledger method behind each of those HTTP routes.
LEDGER_METHODS = {
    "security-checks": "record_security_checks",
    "further-information-requests": "request_further_information",
    "further-information-returns": "return_further_information",
    "screen-in": "screen_in",
    "strategy-discussion/schedule": "schedule_strategy_discussion",
    "strategy-discussion/referrer-consultations": "consult_referrer",
}


@dataclass(frozen=True)
class Measured:
    operations: int
    seconds: float


def receive_referrals(ledger: ReferralLedger, count: int) -> list[UUID]:
    command = ReceiveReferral.model_validate(FORM)
    return [
        ledger.receive_referral(command, Issued(TRIAGE, uuid4())).aggregate_id for _ in range(count)
    ]


class LedgerBench:
    """Single-event commands through the ledger, on referrals received beforehand."""

    def __init__(self, settings: Settings, per_round: int, rounds: int) -> None:
        self.runtime = open_runtime(settings)
        self.batches = [receive_referrals(self.runtime.ledger, per_round) for _ in range(rounds)]

    def round(self, index: int) -> Measured:
        ledger = self.runtime.ledger
        started = time.perf_counter()
        for version, (step, actor, body) in enumerate(STEPS, start=1):
            method = LEDGER_METHODS[step]
            command = command_model(method).model_validate({"expected_version": version, **body})
            handle = getattr(ledger, method)
            for referral_id in self.batches[index]:
                handle(referral_id, command, Issued(actor, uuid4(), uuid4().hex))
        return Measured(len(self.batches[index]) * len(STEPS), time.perf_counter() - started)

    def close(self) -> None:
        self.runtime.close()


def measure_rebuild(settings: Settings) -> Measured:
    """The case view dropped and rebuilt from the whole log."""
    runtime = open_runtime(settings)
    try:
        runtime.projections.case_view.clear()
        started = time.perf_counter()
        applied = runtime.projections.workers["case_view"].catch_up()
        return Measured(applied, time.perf_counter() - started)
    finally:
        runtime.close()
