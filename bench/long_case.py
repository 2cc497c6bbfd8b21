"""A command on a long case against the same command on a short one: what snapshots buy.

Cases are built as in bench/erasure.py: a referral at its strategy discussion, then
disclosures back and forth, to 1,000 events (long) or 10 (short). The command records a
risk assessment (one event, sealed, with an idempotency key, as over HTTP). Each long case
takes several commands in a row (so it stays a case of about 1,000 events and meets its
snapshot as a busy case would); each short case takes one (so it stays a 10-event case).
Long and short rounds alternate, so the drift of a shared machine falls on both alike.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from uuid import UUID, uuid4

from api.bootstrap import open_runtime
from api.settings import Settings
from bench.erasure import case_of, sharing_agencies
from bench.workload import POLICE, Measured
from commands.application import ReferralLedger
from commands.context import Issued
from commands.strategy_discussion import RecordRiskAssessment
from events.forms import AgencyRef

LONG_CASE_EVENTS = 1_000
SHORT_CASE_EVENTS = 10
ASSESSMENT: dict[str, Any] = {
    "nature_and_pattern_of_behaviour": "Synthetic benchmark assessment.",
    "nature_of_risk": "None; generated for measurement.",
    "who_is_at_risk": ["subject"],
    "circumstances_increasing_risk": ["relationships"],
    "factors_reducing_risk": "Bench.",
    "medical_evidence": "None known.",
    "medical_explanation": "no",
}


@dataclass(frozen=True)
class LongCaseFigures:
    long: list[Measured]
    short: list[Measured]


def measure_long_case(
    settings: Settings, long_cases: int, commands_per_case: int, rounds: int
) -> LongCaseFigures:
    runtime = open_runtime(settings)
    try:
        ledger = runtime.ledger
        agencies = sharing_agencies(ledger)
        per_round = long_cases * commands_per_case
        long = [case_of(ledger, agencies, LONG_CASE_EVENTS) for _ in range(long_cases)]
        short = [_short_cases(ledger, agencies, per_round) for _ in range(rounds)]
        versions = dict.fromkeys(long, LONG_CASE_EVENTS)
        versions.update((case, SHORT_CASE_EVENTS) for cases in short for case in cases)
        # The first change of a case this process has not saved reads its stored snapshot;
        # after that, a case being worked on is changed from the state kept in memory. The
        # short cases were just saved through the ledger; the long ones once each, untimed.
        _on_each(ledger, long, versions)
        figures = LongCaseFigures([], [])
        for index in range(rounds):
            figures.long.append(_on_each(ledger, long * commands_per_case, versions))
            figures.short.append(_on_each(ledger, short[index], versions))
        return figures
    finally:
        runtime.close()


def _short_cases(
    ledger: ReferralLedger, agencies: tuple[AgencyRef, AgencyRef], count: int
) -> list[UUID]:
    return [case_of(ledger, agencies, SHORT_CASE_EVENTS) for _ in range(count)]


def _on_each(
    ledger: ReferralLedger, referral_ids: list[UUID], versions: dict[UUID, int]
) -> Measured:
    """One risk assessment per entry, in order (a case listed twice takes two)."""
    started = time.perf_counter()
    for referral_id in referral_ids:
        command = RecordRiskAssessment.model_validate(
            {"expected_version": versions[referral_id], "assessment": ASSESSMENT}
        )
        ledger.record_risk_assessment(referral_id, command, Issued(POLICE, uuid4(), uuid4().hex))
        versions[referral_id] += 1
    return Measured(len(referral_ids), time.perf_counter() - started)
