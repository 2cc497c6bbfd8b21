"""The measured work: single-event commands through the ledger, and rebuilding the case view."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from api.bootstrap import open_runtime
from api.settings import Settings
from commands.application import ReferralLedger, command_model
from commands.context import Actor, Issued
from commands.intake import ReceiveReferral
from events.vocabulary import Role
from scenarios import steps
from scenarios.builder import Cast, resolved
from scenarios.step import Part

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

CHILDRENS = Actor.for_agency("bench-cs", Role.CHILDRENS_SERVICES, "Bench Children's Services")
COMPLIANCE = Actor.for_agency("bench-dpo", Role.COMPLIANCE_OFFICER, "Bench County Council")
SECOND_COMPLIANCE = Actor.for_agency("bench-dpo-2", Role.COMPLIANCE_OFFICER, COMPLIANCE.agency)
# The MASH triage also returns the further information here: one person for the desk's part.
BENCH_CAST = Cast(
    parts={
        Part.TRIAGE: TRIAGE,
        Part.DESK: TRIAGE,
        Part.POLICE: POLICE,
        Part.CHILDRENS_SERVICES: CHILDRENS,
        Part.COMPLIANCE: COMPLIANCE,
        Part.SECOND_COMPLIANCE: SECOND_COMPLIANCE,
    }
)
DISCUSSION_AT = datetime(2026, 3, 5, 14, tzinfo=UTC)
# Six steps that each record one event, in the order the process allows them.
STEPS = [
    steps.security_checks_recorded(),
    steps.further_information_requested("Attendance record."),
    steps.further_information_returned("Attendance 90%."),
    steps.screened_in("Indicators present."),
    steps.discussion_scheduled(scheduled_for=DISCUSSION_AT.isoformat()),
    steps.referrer_consulted(),
]


def commands() -> list[tuple[str, Actor, dict[str, Any]]]:
    """Each step as sent: the ledger method (and route name), its sender, its body."""
    return [
        (step.command, BENCH_CAST.actor(step.by), resolved(step.fields, DISCUSSION_AT, BENCH_CAST))
        for step in STEPS
    ]


@dataclass(frozen=True)
class Measured:
    operations: int
    seconds: float


def rate(measured: Sequence[Measured]) -> float:
    """Operations per second over all the rounds (not a mean of the rounds' rates)."""
    return sum(m.operations for m in measured) / sum(m.seconds for m in measured)


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
        for version, (method, actor, body) in enumerate(commands(), start=1):
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
