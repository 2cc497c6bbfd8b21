"""The tamper-evident ledger: what sealing, verifying and a running sealer cost.

One database holds a log of at least `events` events: referrals at their strategy
discussion with disclosures up to 1,000 events each (bench/erasure.py's cases), a case per
save. Then, in rounds:

- seal: the event log sealed from nothing (its seals cleared before each round) by a Sealer
  over the raw feed, driven by a projection worker's catch-up as the sealing worker drives
  it; after the first round a checkpoint is signed over the head, untimed, so verify has a
  signature to check and a root to compare;
- verify vs raw scan: `verify_sealed_log` over the event log (every stored row read through
  log_scan's server-side cursor, its leaf rehashed and walked beside the seals, the chain and
  the tree rebuilt, the checkpoint checked) against the same cursor read consuming every row,
  hashing nothing; which goes first alternates by round;
- commands with the sealer vs without: bench/workload.py's single-event commands through a
  ledger whose event log sealing worker runs in the same process (woken after each save,
  signing checkpoints as they fall due) against the same commands with it stopped, on the
  same database. The sealer is brought level with the log before a round and left to finish
  after it, both untimed, so a round pays for sealing its own events, as they are saved, and
  no more. Alternating rounds, in alternating order.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

from api.bootstrap import Runtime, open_runtime
from api.settings import Settings
from bench.erasure import CASE_EVENTS, case_of
from bench.register_export import POLICE_AGENCY, register_agency_ref
from bench.workload import CHILDRENS, LedgerBench, Measured, rate
from commands.application import ReferralLedger
from projections.checkpoints import SealingWorker
from projections.log_scan import scan_stored_events
from projections.runner import ProjectionWorker, wait_for_position
from projections.seals import HEADS, SEALS, RawFeed
from projections.verification import verify_sealed_log

LOG = "events"
SEALER_FINISH_SECONDS = 60


@dataclass(frozen=True)
class IntegrityFigures:
    events: int
    seed_seconds: float
    seal: list[Measured]
    verify: list[Measured]
    raw_scan: list[Measured]
    with_sealer: list[Measured]
    without_sealer: list[Measured]


def measure_integrity(
    settings: Settings, events: int, rounds: int, referrals: int, command_rounds: int
) -> IntegrityFigures:
    """`events` and `rounds` size the log and its seal and verify rounds; `referrals` and
    `command_rounds` the command rounds, as in the ledger's own command bench."""
    runtime = open_runtime(settings)
    try:
        started = time.perf_counter()
        seed_log(runtime.ledger, events)
        seed_seconds = time.perf_counter() - started
        log = EventLogBench(runtime)
        seal, verify, raw_scan = log.rounds(rounds)
    finally:
        runtime.close()
    with_sealer, without_sealer = measure_sealer_running(settings, referrals, command_rounds)
    return IntegrityFigures(
        log.events, seed_seconds, seal, verify, raw_scan, with_sealer, without_sealer
    )


def integrity_result(figures: IntegrityFigures, command_rate: float) -> dict[str, float]:
    """The figures as the bench prints them; `command_rate` is the ledger's command rate
    measured in the same run, which the sealer has to outpace."""
    seal, verify, raw = rate(figures.seal), rate(figures.verify), rate(figures.raw_scan)
    running, stopped = rate(figures.with_sealer), rate(figures.without_sealer)
    return {
        "integrity_events": figures.events,
        "integrity_seed_s": round(figures.seed_seconds, 1),
        "seal_events_per_s": round(seal, 1),
        "verify_events_per_s": round(verify, 1),
        "raw_scan_events_per_s": round(raw, 1),
        "command_with_sealer_per_s": round(running, 1),
        "command_without_sealer_per_s": round(stopped, 1),
        "verify_vs_raw_scan": round(verify / raw, 3),
        "sealer_vs_command": round(seal / command_rate, 3),
        "command_with_sealer_vs_without": round(running / stopped, 3),
    }


def seed_log(ledger: ReferralLedger, events: int) -> None:
    """Record cases until the log holds at least `events` events."""
    agencies = (
        register_agency_ref(ledger, POLICE_AGENCY.agency, "police"),
        register_agency_ref(ledger, CHILDRENS.agency, "children_and_young_people_services"),
    )
    while (recorded := ledger.recorder.max_notification_id() or 0) < events:
        case_of(ledger, agencies, min(CASE_EVENTS, events - recorded))


class EventLogBench:
    """Sealing, verifying and scanning one runtime's event log."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.sealing = runtime.projections.sealing
        self.recorder = runtime.ledger.recorder
        # Read once, untimed: the count verify must reach, and the rows brought into the
        # caches before any round, so no round pays for the first read from disk.
        self.events = sum(1 for _ in scan_stored_events(self.recorder))

    def rounds(self, rounds: int) -> tuple[list[Measured], list[Measured], list[Measured]]:
        seal: list[Measured] = []
        verify: list[Measured] = []
        raw_scan: list[Measured] = []
        for index in range(rounds):
            seal.append(self.seal_from_nothing())
            if index == 0:
                self.sign_checkpoint()
            if index % 2 == 0:
                verify.append(self.verify())
                raw_scan.append(self.raw_scan())
            else:
                raw_scan.append(self.raw_scan())
                verify.append(self.verify())
        return seal, verify, raw_scan

    def seal_from_nothing(self) -> Measured:
        sealer = self.sealing.sealer(LOG)
        # Both tables empty, the access log's seals too (the bench records no access log).
        # The checkpoint stays: the same rows sealed again give the same root.
        self.runtime.projections.db.clear([SEALS, HEADS], sealer.tracking_key)
        worker = ProjectionWorker(RawFeed(self.recorder), sealer)
        started = time.perf_counter()
        sealed = worker.catch_up()
        elapsed = time.perf_counter() - started
        if sealed != self.events:
            raise RuntimeError(f"sealed {sealed} events of {self.events}")
        return Measured(sealed, elapsed)

    def sign_checkpoint(self) -> None:
        """A checkpoint over the whole log, as the sealing worker signs one after a pass."""
        checkpointer = self.sealing.workers[LOG].checkpointer
        if checkpointer is None:
            raise RuntimeError("the event log's sealing worker signs no checkpoints")
        head = self.sealing.sealer(LOG).head()
        checkpointer.sign(head.size, head.root, checkpointer.now())

    def verify(self) -> Measured:
        settings = self.runtime.settings
        started = time.perf_counter()
        report = verify_sealed_log(
            self.sealing.logs[LOG],
            self.sealing.sealer(LOG),
            self.sealing.checkpoints,
            log_keys=self.sealing.trusted_keys,
            now=self.runtime.ledger.clock.now(),
            allowed_lag=timedelta(seconds=settings.seal_lag_seconds),
        )
        elapsed = time.perf_counter() - started
        # A verify that found something, or stopped short, is not the run being measured.
        if not report.intact or report.records != self.events or report.checkpoints != 1:
            raise RuntimeError(
                f"verify: {report.records} of {self.events} records, "
                f"{report.checkpoints} checkpoints, first finding {report.first}"
            )
        return Measured(report.records, elapsed)

    def raw_scan(self) -> Measured:
        started = time.perf_counter()
        rows = sum(1 for _ in scan_stored_events(self.recorder))
        elapsed = time.perf_counter() - started
        if rows != self.events:
            raise RuntimeError(f"raw scan: {rows} rows of {self.events}")
        return Measured(rows, elapsed)


def measure_sealer_running(
    settings: Settings, referrals: int, rounds: int
) -> tuple[list[Measured], list[Measured]]:
    """Command rounds with the event log's sealer running, and with it stopped."""
    bench = LedgerBench(settings, referrals, 2 * rounds)
    running: list[Measured] = []
    stopped: list[Measured] = []
    try:
        for index in range(rounds):
            first, second = 2 * index, 2 * index + 1
            if index % 2 == 0:
                running.append(with_sealer_running(bench, first))
                stopped.append(bench.round(second))
            else:
                stopped.append(bench.round(first))
                running.append(with_sealer_running(bench, second))
    finally:
        bench.close()
    return running, stopped


def with_sealer_running(bench: LedgerBench, index: int) -> Measured:
    sealing = bench.runtime.projections.sealing
    idle = sealing.workers[LOG]
    # A worker once stopped does not start again, so each round runs a fresh one over the
    # same sealer and checkpointer, where the ledger's save hook (Projections.wake) finds it.
    worker = SealingWorker(idle.feed, idle.sealer, idle.checkpointer)
    worker.catch_up()
    sealing.workers[LOG] = worker
    worker.start()
    try:
        measured = bench.round(index)
        recorded = bench.runtime.ledger.recorder.max_notification_id() or 0
        if not wait_for_position(worker.sealer, recorded, SEALER_FINISH_SECONDS):
            raise RuntimeError(f"the sealer did not finish the round ({worker.last_error})")
    finally:
        worker.stop()
        sealing.workers[LOG] = idle
    return measured
