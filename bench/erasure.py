"""Erasure and sealing: what they cost on a case of 1,000 events.

- erasure: executing an approved erasure of a 1,000-event case (record the erasure, destroy
  its keys, compact the key table), against approving it, a one-event command on the same
  case (so both load the same history);
- sealed read: the case's whole history read with its personal data opened, against the
  same case stored by a ledger whose mapper does not seal (a bench-only setting), read the
  same way; alternating rounds on both, the best round of each compared.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from api.bootstrap import Runtime, open_runtime
from api.settings import Settings
from bench.register_export import (
    POLICE_AGENCY,
    at_strategy_discussion,
    bench_scenario,
    disclose_back_and_forth,
    register_agency_ref,
)
from bench.workload import CHILDRENS
from commands.application import ReferralLedger
from events.forms import AgencyRef
from events.storage import EventMapper
from scenarios import steps
from scenarios.builder import Case

CASE_EVENTS = 1_000


@dataclass(frozen=True)
class ErasureFigures:
    case_events: int
    erasure_ms: float
    approval_ms: float
    sealed_read_ms: float
    clear_read_ms: float


class UnsealedLedger(ReferralLedger):
    """The ledger with sealing off: the baseline for what sealing costs a read."""

    def construct_mapper(self) -> EventMapper:
        return EventMapper(self.keyring, sealing=False)


def sharing_agencies(ledger: ReferralLedger) -> tuple[AgencyRef, AgencyRef]:
    """The police and children's services, who share back and forth in a bench's cases."""
    return (
        register_agency_ref(ledger, POLICE_AGENCY.agency, "police"),
        register_agency_ref(ledger, CHILDRENS.agency, "children_and_young_people_services"),
    )


def case_of(ledger: ReferralLedger, agencies: tuple[AgencyRef, AgencyRef], events: int) -> UUID:
    """A referral at its strategy discussion with disclosures up to `events` events."""
    referral_id = at_strategy_discussion(ledger)
    referral = ledger.referral(referral_id)
    disclose_back_and_forth(referral, agencies, events - referral.version)
    ledger.save(referral)
    return referral_id


def measure_erasure(settings: Settings, cases: int, read_rounds: int) -> ErasureFigures:
    runtime = open_runtime(settings)
    unsealed = _unsealed(settings, runtime)
    try:
        ledger = runtime.ledger
        agencies = sharing_agencies(ledger)
        sealed_case = case_of(ledger, agencies, CASE_EVENTS)
        clear_case = case_of(unsealed, agencies, CASE_EVENTS)
        sealed_reads, clear_reads = [], []
        for _ in range(read_rounds):
            sealed_reads.append(_timed(lambda: ledger.history(sealed_case, reveal=True)))
            clear_reads.append(_timed(lambda: unsealed.history(clear_case, reveal=True)))
        approvals, erasures = [], []
        for _ in range(cases):
            approval, erasure = _erase(ledger, case_of(ledger, agencies, CASE_EVENTS))
            approvals.append(approval)
            erasures.append(erasure)
        return ErasureFigures(
            case_events=CASE_EVENTS,
            erasure_ms=statistics.median(erasures) * 1000,
            approval_ms=statistics.median(approvals) * 1000,
            # The best of many alternating rounds: noise on a shared machine only adds time.
            sealed_read_ms=min(sealed_reads) * 1000,
            clear_read_ms=min(clear_reads) * 1000,
        )
    finally:
        unsealed.close()
        runtime.close()


def _unsealed(settings: Settings, runtime: Runtime) -> UnsealedLedger:
    # The same event store: both cases sit in tables of the same size and shape.
    return UnsealedLedger(settings.eventsourcing_env(), keyring=runtime.ledger.keyring)


def _erase(ledger: ReferralLedger, referral_id: UUID) -> tuple[float, float]:
    case = Case(bench_scenario(ledger), referral_id)
    case.then(steps.erasure_requested().but(reason="Bench."))
    approval = _timed(lambda: case.then(steps.erasure_approved()))
    erasure = _timed(lambda: case.then(steps.erasure_executed()))
    return approval, erasure


def _timed(work: Any) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started
