"""Any number of projection workers may follow the same log: each batch moves a view from the
position it was read after, or not at all.

Three `python -m api project` processes and the in-process projections of a busy API follow one
store while a synthetic year is recorded; at the end every view equals a rebuild of the same
log and no worker logged a failure. The race itself is then played by hand: worker A reads a
batch, worker B applies first, and A's apply is refused and changes nothing; A carries on
from where B left the view; and on the database, a second worker waits for the first's batch
to commit, then writes nothing.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
import structlog.testing
from fastapi.testclient import TestClient

from aggregates.referral_state import Stage
from api.bootstrap import (
    Projections,
    Runtime,
    load_log_signers,
    open_projection_database,
    open_projections,
    open_runtime,
    open_worker_projections,
    prepare_storage,
)
from api.http.app import create_app
from api.settings import Settings
from commands.agency import RegisterAgency
from commands.application import ReferralLedger
from commands.conclusion import ConcludeProcess
from commands.context import Actor, Issued
from commands.disposal import ConfirmDisposal, EndAgencyInvolvement, LiftLegalHold, PlaceLegalHold
from events.base import DomainEvent
from events.vocabulary import AgencyType, DisposalMethod, InvolvementEndReason, LegalHoldGround
from projections import agency_directory, case_view_store, disclosure_register
from projections.database import ProjectionDatabase, Reader, Write
from projections.disposal_obligations import DisposalObligations
from projections.retention import RetentionRecords
from projections.runner import EventFeed, Positioned, ProjectionWorker
from scenarios.synthetic import CHAIR, EVERY_AGENCY, TRIAGE, Year, generate_year
from tests.api_client import Api
from tests.conftest import make_settings
from tests.support import FixedClock

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 3
CASES = 15
PACE_SECONDS = 0.004  # each save takes a little longer, so the writes outlast many wake-ups
STARTED_SECONDS = 60.0
CAUGHT_UP_SECONDS = 30.0
EVERY_ROW = "SELECT * FROM {table}"
TABLES = (
    case_view_store.TABLE,
    case_view_store.INVOLVED,
    agency_directory.TABLE,
    disclosure_register.ROWS,
    disclosure_register.REFUSALS,
    *DisposalObligations.tables,
    *RetentionRecords.tables,
)
TRACKING_KEYS = (
    case_view_store.CaseViewStore.tracking_key,
    agency_directory.AgencyDirectory.tracking_key,
    disclosure_register.DisclosureRegister.tracking_key,
    DisposalObligations.tracking_key,
    RetentionRecords.tracking_key,
)
Rows = dict[str, list[str]]


@pytest.fixture
def settings(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Settings]:
    yield from make_settings(backend, tmp_path, request, read_wait_seconds=15)


def test_three_worker_processes_and_a_busy_api_keep_every_view_equal_to_a_rebuild(
    settings: Settings, tmp_path: Path
) -> None:
    clock = FixedClock()
    app = create_app(settings, clock=clock)
    with TestClient(app) as client, failures_logged() as in_process:
        ledger: ReferralLedger = app.state.runtime.ledger
        ledger.on_saved(lambda _position: time.sleep(PACE_SECONDS))
        with worker_processes(settings, tmp_path) as logs:
            year = generate_year(ledger, clock, cases=CASES, seed=23)
            section_8(ledger, clock, year)
            head = ledger.recorder.max_notification_id() or 0
            last = year.referrals[-1]
            case = Api(client).case(last, after=head)  # read-your-writes, while they race
            assert case["version"] == ledger.referral(last).version
            wait_until_caught_up(app.state.runtime.projections, head)
        live = view_rows(app.state.runtime.projections.db)

    assert [trouble for log in logs for trouble in troubles(log)] == []
    assert in_process == []
    rebuilt = rebuild(settings)
    assert {table: len(rows) for table, rows in live.items()} == {
        table: len(rows) for table, rows in rebuilt.items()
    }
    assert live == rebuilt
    assert [table for table in TABLES if not live[table]] == []


def troubles(log: str) -> list[str]:
    """What a worker's JSON log says went wrong: records at warning or above (such as
    `projection_failed`), and any line that is no log record (a crash's traceback)."""
    found = []
    for line in log.splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            found.append(line)
            continue
        if record.get("level") not in {"debug", "info"}:
            found.append(f"{record.get('event')}: {record.get('error')}")
    return found


class FailureLog(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.failures: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.failures.append(record.getMessage())


@contextmanager
def failures_logged() -> Iterator[list[str]]:
    """What the in-process workers log at warning or above (such as `projection_failed`)."""
    handler = FailureLog()
    logger = logging.getLogger("vtr.projections")
    logger.addHandler(handler)
    try:
        yield handler.failures
    finally:
        logger.removeHandler(handler)


@contextmanager
def worker_processes(settings: Settings, tmp_path: Path) -> Iterator[list[str]]:
    """Three projection workers as their own processes, each following every view once it
    is running; yields their logs, filled in once they are stopped."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VTR_")}
    env |= settings.as_environment() | {"VTR_LOG_FORMAT": "json", "VTR_LOG_LEVEL": "DEBUG"}
    env.pop("VTR_MASTER_KEY", None)  # a worker needs no key
    outs = [tmp_path / f"worker-{n}.out" for n in range(WORKERS)]
    logs = [tmp_path / f"worker-{n}.log" for n in range(WORKERS)]
    workers: list[subprocess.Popen[str]] = []
    for out, log in zip(outs, logs, strict=True):
        with out.open("w") as stdout, log.open("w") as stderr:
            workers.append(
                subprocess.Popen(
                    [sys.executable, "-m", "api", "project"],
                    cwd=ROOT,
                    env=env,
                    stdout=stdout,
                    stderr=stderr,
                    text=True,
                )
            )
    written: list[str] = []
    try:
        deadline = time.monotonic() + STARTED_SECONDS
        while not all("running" in out.read_text() for out in outs):
            assert time.monotonic() < deadline, [log.read_text()[-2000:] for log in logs]
            assert all(worker.poll() is None for worker in workers)
            time.sleep(0.1)
        yield written
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        codes = [worker.wait(timeout=30) for worker in workers]
        written.extend(log.read_text() for log in logs)
    assert codes == [0] * WORKERS, written


def section_8(ledger: ReferralLedger, clock: FixedClock, year: Year) -> None:
    """Conclude the cases that agreed an exit, end recipients' involvement, hold cases and
    release some, confirm some disposals: rows for the obligations and retention views."""
    actors = {year.agencies[partner.name]: partner.actor for partner in EVERY_AGENCY}
    clock.moment += timedelta(days=30)
    today = clock.moment.date()
    for number, referral_id in enumerate(year.referrals):
        referral = ledger.referral(referral_id)
        version = referral.version
        if referral.state.stage is Stage.EXIT_AGREED:
            concluded = ConcludeProcess(expected_version=version, concluded_on=today)
            version = ledger.conclude_process(referral_id, concluded, issued(CHAIR)).version
        held = number % 3 == 0
        if held:
            hold = PlaceLegalHold(
                expected_version=version, ground=LegalHoldGround.LITIGATION, reason="Claim."
            )
            version = ledger.place_legal_hold(referral_id, hold, issued(CHAIR)).version
        recipients = sorted({r.agency_id for d in referral.state.disclosures for r in d.recipients})
        for agency_id in recipients[number % 2 :]:  # odd cases leave a proposal open
            ended = EndAgencyInvolvement(
                expected_version=version,
                agency_id=agency_id,
                ended_on=today,
                reason=InvolvementEndReason.ROLE_IN_RISK_MANAGEMENT_ENDED,
            )
            version = ledger.end_agency_involvement(referral_id, ended, issued(TRIAGE)).version
        if held and number % 2 == 0:
            lifted = LiftLegalHold(expected_version=version, reason="Settled.")
            version = ledger.lift_legal_hold(referral_id, lifted, issued(CHAIR)).version
            held = False
        obligations = ledger.referral(referral_id).state.obligations
        for obligation in [] if held else obligations[::2]:
            disposed = ConfirmDisposal(
                expected_version=version,
                obligation_no=obligation.obligation_no,
                method=DisposalMethod.DELETED,
                disposed_on=today,
                complete=True,
            )
            actor = actors[obligation.agency.agency_id]
            version = ledger.confirm_disposal(referral_id, disposed, issued(actor)).version


def issued(actor: Actor) -> Issued:
    return Issued(actor, uuid4())


def wait_until_caught_up(projections: Projections, head: int) -> None:
    deadline = time.monotonic() + CAUGHT_UP_SECONDS
    followers = [worker.projection for worker in projections.workers.values()]
    while any(projection.position() < head for projection in followers):
        assert time.monotonic() < deadline, {p.name: p.position() for p in followers}
        time.sleep(0.05)


def view_rows(db: ProjectionDatabase) -> Rows:
    """Every row of every view, as sorted JSON texts, and each view's position."""
    found: Rows = {
        table: sorted(map(as_json, db.rows(db.dialect.statement(EVERY_ROW, table=table), [])))
        for table in TABLES
    }
    found["positions"] = [f"{key}={db.position(key)}" for key in TRACKING_KEYS]
    return found


def as_json(row: Any) -> str:
    columns = row.keys()  # a sqlite3.Row is no mapping, but has keys
    return json.dumps({column: row[column] for column in columns}, sort_keys=True, default=str)


def rebuild(settings: Settings) -> Rows:
    projections = open_worker_projections(settings)
    try:
        projections.rebuild()
        return view_rows(projections.db)
    finally:
        projections.close()


# -- the race by hand -------------------------------------------------------------------------


@pytest.fixture
def recorded(settings: Settings) -> Iterator[tuple[Runtime, FixedClock]]:
    """A ledger whose own projections stay still, so only the test's workers move views."""
    clock = FixedClock()
    runtime = open_runtime(settings, clock=clock)
    try:
        yield runtime, clock
    finally:
        runtime.close()


def worker_views(settings: Settings, runtime: Runtime) -> Projections:
    """A second set of workers over the runtime's logs, as another process would open them."""
    return open_projections(
        settings,
        runtime.ledger.recorder,
        runtime.access_log,
        load_log_signers(settings),
        runtime.ledger.clock.now,
    )


def test_a_batch_read_before_another_worker_applied_it_is_refused_and_changes_nothing(
    settings: Settings, recorded: tuple[Runtime, FixedClock]
) -> None:
    runtime, clock = recorded
    worker_a = worker_views(settings, runtime)
    worker_b = worker_views(settings, runtime)
    try:
        year = generate_year(runtime.ledger, clock, cases=4, seed=5)
        race_by_hand(runtime.ledger, worker_a, worker_b)  # the first batches: no position yet
        section_8(runtime.ledger, clock, year)
        race_by_hand(runtime.ledger, worker_a, worker_b)  # from the position B left
        assert worker_a.catch_up() > 0  # A carries on from there
        live = view_rows(worker_a.db)
    finally:
        worker_a.close()
        worker_b.close()
    assert live == rebuild(settings)


Read = dict[str, tuple[int, int, list[Positioned]]]


def race_by_hand(ledger: ReferralLedger, worker_a: Projections, worker_b: Projections) -> None:
    """For each view: B reads a batch; the log grows; A reads a longer batch from the same
    position; B applies its batch, then A applies its own and is refused: the position it
    was read after has moved, though not as far as A's batch goes."""
    read_by_b = read_batches(worker_b)
    register_agency(ledger)
    read_by_a = read_batches(worker_a)
    for name, (after, up_to, batch) in read_by_b.items():
        assert worker_b.workers[name].projection.apply(batch, after, up_to) is True, name
    rows = view_rows(worker_a.db)
    for name, (after, up_to, batch) in read_by_a.items():
        assert after == read_by_b[name][0] < read_by_b[name][1] < up_to, name
        assert worker_a.workers[name].projection.apply(batch, after, up_to) is False, name
        assert worker_a.workers[name].projection.position() == read_by_b[name][1], name
    assert view_rows(worker_a.db) == rows


def read_batches(projections: Projections) -> Read:
    """What each view's worker reads: its position, the log's head and the batch between."""
    read: Read = {}
    for name, worker in projections.workers.items():
        after, head = worker.projection.position(), worker.feed.latest_position()
        read[name] = (after, head, worker.feed.read(after=after, up_to=head, limit=500))
    return read


def register_agency(ledger: ReferralLedger) -> None:
    name = f"Agency {uuid4().hex[:8]}"
    command = RegisterAgency(name=name, agency_type=AgencyType.EDUCATION)
    ledger.register_agency(command, issued(TRIAGE))


class RivalFirst:
    """The log as one worker reads it; right after its first read, a rival worker catches up."""

    def __init__(self, feed: EventFeed, rival: ProjectionWorker[DomainEvent]) -> None:
        self.feed = feed
        self.rival: ProjectionWorker[DomainEvent] | None = rival

    def latest_position(self) -> int:
        return self.feed.latest_position()

    def read(self, after: int, up_to: int, limit: int) -> list[Positioned]:
        batch = self.feed.read(after, up_to, limit)
        if self.rival is not None:
            self.rival.catch_up()
            self.rival = None
        return batch


def test_a_worker_that_loses_the_race_carries_on_from_where_the_winner_left_the_view(
    settings: Settings, recorded: tuple[Runtime, FixedClock]
) -> None:
    runtime, clock = recorded
    worker_a = worker_views(settings, runtime)
    worker_b = worker_views(settings, runtime)
    try:
        generate_year(runtime.ledger, clock, cases=3, seed=9)
        head = runtime.ledger.recorder.max_notification_id()
        for name, a in worker_a.workers.items():
            racing = ProjectionWorker(RivalFirst(a.feed, worker_b.workers[name]), a.projection)
            with structlog.testing.capture_logs() as logs:
                assert racing.catch_up() == 0, name
            assert a.projection.position() == head, name
            assert [(log["event"], log["log_level"]) for log in logs] == [
                ("projection_batch_superseded", "debug")
            ], name
        live = view_rows(worker_a.db)
    finally:
        worker_a.close()
        worker_b.close()
    assert live == rebuild(settings)


RACE = "vtr_test_race"


@pytest.mark.parametrize("after", [0, 5], ids=["first batch", "later batch"])
def test_a_second_worker_waits_for_the_first_to_commit_then_writes_nothing(
    settings: Settings, after: int
) -> None:
    prepare_storage(settings)
    first, second = open_projection_database(settings), open_projection_database(settings)
    key, up_to = "vtr:test_race", after + 4
    sql = partial(first.dialect.statement, race=RACE)
    insert = sql("INSERT INTO {race} (worker) VALUES ({mark})")
    try:
        first.create([sql("CREATE TABLE IF NOT EXISTS {race} (worker TEXT NOT NULL)")])
        if after:
            assert first.advance(key, 0, after, lambda _read: [])
        outcome: dict[str, bool] = {}

        def second_worker() -> None:
            writes = [(insert, [("second",)])]
            outcome["second"] = second.advance(key, after, up_to, lambda _read: writes)

        rival = threading.Thread(target=second_worker)

        def first_writes(_read: Reader) -> list[Write]:
            rival.start()
            rival.join(timeout=0.5)
            assert rival.is_alive()  # held at the claim while this batch is under way
            return [(insert, [("first",)])]

        assert first.advance(key, after, up_to, first_writes) is True
        rival.join(timeout=10)
        assert outcome == {"second": False}
        written = first.rows(sql("SELECT worker FROM {race}"), [])
        assert [row["worker"] for row in written] == ["first"]
        assert first.position(key) == second.position(key) == up_to
    finally:
        first.close()
        second.close()
