"""Builds the running parts from settings: stores, key ring, ledger, projection worker.

`create_app` and the CLI both start from here, so the API, the worker and the demo loader
are wired the same way.
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any, Protocol
from uuid import UUID, uuid4

import psycopg
import structlog
from eventsourcing.persistence import ApplicationRecorder, InfrastructureFactory, StoredEvent
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.utils import Environment
from psycopg.sql import SQL, Identifier, Literal

from api.access.group_commit import BatchLog, GroupCommitLog
from api.access.log import COLUMNS, AccessLog, PostgresAccessLog, SQLiteAccessLog
from api.settings import Settings, decode_master_key
from commands.application import ReferralLedger
from commands.clock import Clock, SystemClock
from commands.errors import KeyStoreMismatchError
from commands.keyring import KeyRing, KeyRingError
from commands.keystores import KeyStore, PostgresKeyStore, SQLiteKeyStore
from commands.recorders import PostgresLedgerRecorder
from events.integrity.entries import Sealable, StoredConsultation, StoredRecord
from events.integrity.keys import new_key_line, note_signers, read_key_lines, write_new_key_file
from events.integrity.note import SIG_ED25519, NoteError, NoteSigner, VerifierKey
from events.storage import EventMapper
from projections.agency_directory import AgencyDirectory
from projections.case_view_projection import CaseViewProjection
from projections.case_view_store import CaseViewStore
from projections.checkpoints import Checkpointer, CheckpointStore, SealingWorker
from projections.database import (
    PostgresProjectionDatabase,
    ProjectionDatabase,
    SQLiteProjectionDatabase,
)
from projections.disclosure_register import DisclosureRegister, RegisterMapper
from projections.disposal_obligations import DisposalObligations
from projections.log_scan import scan_stored_events
from projections.postgres_wakeup import PostgresWakeUp
from projections.retention import RetentionRecords
from projections.runner import Feed, Projection, ProjectionWorker, RecorderFeed
from projections.seals import RawFeed, Sealer
from projections.verification import SealedLog

log = structlog.get_logger("vtr.runtime")
RECONNECT_GIVE_UP_SECONDS = 4.0
START_WAIT_SECONDS = 120  # a start that reapplies many erasures can take a while


class StartupError(Exception):
    """The service cannot start with this configuration; the message says what to change."""


class View(Protocol):
    def clear(self) -> None:
        """Forget every row and the position reached."""
        ...


@dataclass
class Sealing:
    """The sealed logs (the event log and the access log), their checkpoints and witnesses."""

    checkpoints: CheckpointStore
    workers: dict[str, SealingWorker]  # by log: "events", "access"
    signers: tuple[NoteSigner, ...]
    trusted_keys: tuple[VerifierKey, ...]  # every key a checkpoint may be signed with
    logs: dict[str, SealedLog]  # what verify reads: each log's rows as stored

    def sealer(self, log: str) -> Sealer:
        return self.workers[log].sealer


@dataclass
class Projections:
    """The read models, each kept up to date by its own worker, in one database; and the
    sealers, which follow the logs the same way."""

    db: ProjectionDatabase
    case_view: CaseViewStore
    agencies: AgencyDirectory
    register: DisclosureRegister
    obligations: DisposalObligations
    retention: RetentionRecords
    workers: dict[str, ProjectionWorker[Any]]
    sealing: Sealing
    wakeup: PostgresWakeUp | None = None
    owned: list[Callable[[], None]] = field(default_factory=list)  # closed with the views

    @property
    def followers(self) -> tuple[ProjectionWorker[Any], ...]:
        return (*self.workers.values(), *self.sealing.workers.values())

    def start(self) -> None:
        for worker in self.followers:
            worker.start()
        if self.wakeup is not None:
            self.wakeup.start()

    def wake(self, _position: int | None = None) -> None:
        for worker in self.followers:
            worker.wake()

    def catch_up(self) -> int:
        """Project everything recorded so far, in this thread; returns the events applied
        to the views (the logs are sealed too)."""
        applied = sum(worker.catch_up() for worker in self.workers.values())
        self.seal()
        return applied

    def seal(self) -> int:
        """Seal everything recorded so far (and sign a checkpoint if one is due)."""
        return sum(worker.catch_up() for worker in self.sealing.workers.values())

    def rebuild(self) -> dict[str, int]:
        """Forget every view and project the whole log again (workers must be stopped);
        returns the events each view was rebuilt from. The seals are evidence, not a view:
        they are kept, and only extended."""
        for view in self.views:
            view.clear()
        rebuilt = {name: worker.catch_up() for name, worker in self.workers.items()}
        self.seal()
        return rebuilt

    @property
    def views(self) -> tuple[View, ...]:
        return (self.case_view, self.agencies, self.register, self.obligations, self.retention)

    @property
    def running(self) -> bool:
        return all(worker.running for worker in self.followers)

    @property
    def last_error(self) -> str | None:
        return next((w.last_error for w in self.followers if w.last_error), None)

    def stop(self) -> None:
        if self.wakeup is not None:
            self.wakeup.stop()
        for worker in self.followers:
            worker.stop()

    def close(self) -> None:
        self.stop()
        self.db.close()
        for closing in self.owned:
            closing()


@dataclass
class Runtime:
    settings: Settings
    ledger: ReferralLedger
    projections: Projections
    keystore: KeyStore
    access_log: GroupCommitLog

    def close(self) -> None:
        self.projections.close()
        self.ledger.close()
        self.keystore.close()
        self.access_log.close()


def open_runtime(
    settings: Settings, *, clock: Clock | None = None, new_id: Callable[[], UUID] = uuid4
) -> Runtime:
    master_key = load_master_key(settings)
    signers = load_log_signers(settings)
    with one_starting_at_a_time(settings):
        return _open_runtime(settings, master_key, signers, clock, new_id)


def _open_runtime(
    settings: Settings,
    master_key: bytes,
    signers: list[NoteSigner],
    clock: Clock | None,
    new_id: Callable[[], UUID],
) -> Runtime:
    prepare_storage(settings)
    keystore = open_keystore(settings)
    keyring = KeyRing(keystore, master_key)
    ledger = ReferralLedger(
        settings.eventsourcing_env(),
        keyring=keyring,
        clock=clock,
        new_id=new_id,
        disposal_working_days=settings.disposal_working_days,
        strategy_meeting_police_ranks=settings.strategy_meeting_police_ranks,
    )
    try:
        # Whose key store it is comes before whose master key: a key store of another
        # ledger wrapped under another master key is first of all the wrong store.
        keyring.pair(ledger.ledger_recorder)
        keyring.check_master_key()
        resealed = ledger.reseal_controller_reasoning()
        revived = ledger.reapply_erasures(only_revived=True)
    except (KeyStoreMismatchError, KeyRingError) as error:
        ledger.close()
        keystore.close()
        reason = error.for_operators if isinstance(error, KeyStoreMismatchError) else str(error)
        raise StartupError(reason) from None
    except BaseException:
        ledger.close()
        keystore.close()
        raise
    if resealed.moved or resealed.left_erased:
        log.info("controller_reasoning_resealed", **resealed._asdict())
    if revived:
        # A key store restored from a backup older than some erasures: erased again.
        log.warning("erasures_reapplied", erasures=revived)
    if isinstance(ledger.recorder, PostgresLedgerRecorder):
        recover_quickly(ledger.recorder.datastore)
    access_log = open_access_log(settings)
    projections = open_projections(settings, ledger.recorder, access_log, signers, ledger.clock.now)
    ledger.on_saved(projections.wake)
    return Runtime(settings, ledger, projections, keystore, access_log)


def open_worker_projections(settings: Settings, clock: Clock | None = None) -> Projections:
    """The read models and sealers over the event store and the access log alone, for a
    projection worker (no key store, no master key; the checkpoint signing key)."""
    signers = load_log_signers(settings)
    with one_starting_at_a_time(settings):
        prepare_storage(settings)  # the databases first: a new deployment may have none yet
        # Only the access log's sealer reads it here, one query at a time: a small pool.
        access_log = open_access_log(settings.model_copy(update={"pg_pool_size": 1}))
        now = clock.now if clock is not None else SystemClock().now
        projections = open_projections(
            settings, open_event_recorder(settings), access_log, signers, now
        )
        projections.owned.append(access_log.close)
        return projections


@contextmanager
def one_starting_at_a_time(settings: Settings) -> Iterator[None]:
    """Processes of one ledger starting together (the API and its workers, a rolling restart)
    create its databases, tables and functions one after another: PostgreSQL's CREATE DATABASE,
    CREATE … IF NOT EXISTS and CREATE OR REPLACE FUNCTION fail against a concurrent creator.
    A session lock on the maintenance database, so it also covers creating the databases."""
    if settings.store != "postgres":
        yield
        return
    where = f"PostgreSQL at {settings.pg_host}:{settings.pg_port} as {settings.pg_user}"
    digest = hashlib.blake2b(f"vtr-start:{settings.pg_database}".encode(), digest_size=8)
    key = int.from_bytes(digest.digest(), "big", signed=True)
    try:
        conn = psycopg.connect(**settings.postgres_connection("postgres"), autocommit=True)  # type: ignore[arg-type]
    except psycopg.OperationalError as error:
        raise StartupError(f"cannot reach {where}: {error}".strip()) from None
    with conn:
        try:
            conn.execute(SQL("SET lock_timeout = {0}").format(Literal(f"{START_WAIT_SECONDS}s")))
            conn.execute("SELECT pg_advisory_lock(%s)", (key,))
        except psycopg.errors.LockNotAvailable:
            raise StartupError(
                f"another process of database {settings.pg_database} has been starting for "
                f"over {START_WAIT_SECONDS} s; try again once it is up"
            ) from None
        yield  # the lock goes with the connection


def open_access_log(settings: Settings) -> GroupCommitLog:
    access_log: BatchLog
    if settings.store == "sqlite":
        access_log = SQLiteAccessLog(str(settings.data_dir / "access.sqlite"))
    else:
        access_log = PostgresAccessLog(postgres_datastore(settings, settings.pg_database))
    access_log.create_table()
    return GroupCommitLog(access_log)


def open_projections(
    settings: Settings,
    recorder: ApplicationRecorder,
    access_log: AccessLog,
    signers: list[NoteSigner],
    now: Callable[[], datetime],
) -> Projections:
    """The read models over `recorder`; they need no key, because they never open personal
    data. The sealers over the event log and the access log, signing with `signers`."""
    db = open_projection_database(settings)
    case_view, agencies, register = CaseViewStore(db), AgencyDirectory(db), DisclosureRegister(db)
    obligations, retention = DisposalObligations(db), RetentionRecords(db)
    for view in (case_view, agencies, register, obligations, retention):
        view.create_table()
    followers: tuple[Projection, ...] = (
        CaseViewProjection(case_view),
        agencies,
        register,
        obligations,
        retention,
    )
    # The register reads each disclosure's envelope alone (see `RegisterMapper`).
    mappers = {register.name: RegisterMapper(keys=None)}
    workers = {
        projection.name: ProjectionWorker(
            RecorderFeed(recorder, projection.topics, mappers.get(projection.name)), projection
        )
        for projection in followers
    }
    logs = {
        "events": SealedLog(
            "events",
            settings.log_name(LOG_ORIGINS["events"]),
            partial(scan_stored_events, recorder),
            event_recorded_at,
        ),
        "access": SealedLog(
            "access",
            settings.log_name(LOG_ORIGINS["access"]),
            partial(scan_access_log, access_log),
            consultation_recorded_at,
        ),
    }
    feeds: dict[str, Feed[Any]] = {"events": RawFeed(recorder), "access": access_log}
    sealing = open_sealing(settings, db, feeds, logs, signers, now)
    projections = Projections(
        db, case_view, agencies, register, obligations, retention, workers, sealing
    )
    if settings.store == "postgres":
        channel = getattr(recorder, "channel_name", "vtr_events")
        projections.wakeup = PostgresWakeUp(
            settings.postgres_connection(settings.pg_database), channel, projections.wake
        )
    return projections


LOG_ORIGINS = {"events": "events", "access": "access-log"}


def open_sealing(
    settings: Settings,
    db: ProjectionDatabase,
    feeds: dict[str, Feed[Any]],
    logs: dict[str, SealedLog],
    signers: list[NoteSigner],
    now: Callable[[], datetime],
) -> Sealing:
    checkpoints = CheckpointStore(db)
    checkpoints.create_table()
    workers = {}
    for log, feed in feeds.items():
        sealer = Sealer(db, log)
        sealer.create_table()
        checkpointer = Checkpointer(
            checkpoints,
            sealer,
            origin=logs[log].origin,
            signers=signers,
            every_events=settings.checkpoint_every_events,
            every_seconds=settings.checkpoint_every_seconds,
            now=now,
        )
        workers[log] = SealingWorker(feed, sealer, checkpointer)
    trusted = [signer.verifier_key() for signer in signers]
    trusted += [VerifierKey.parse(vkey) for vkey in settings.trusted_log_keys]
    return Sealing(checkpoints, workers, tuple(signers), tuple(trusted), logs)


def scan_access_log(access_log: AccessLog, page: int = 5000) -> Iterator[Sealable]:
    """Every access log entry, in order, as stored."""
    after, up_to = 0, access_log.latest_position()
    while batch := access_log.read(after, up_to, page):
        yield from (entry for _, entry in batch)
        after = batch[-1][0]


def event_recorded_at(record: Sealable) -> datetime:
    """When an event was recorded, from its envelope (personal fields stay sealed)."""
    if not isinstance(record, StoredRecord):
        raise TypeError("not an event")
    stored = StoredEvent(record.originator_id, record.version, record.topic, record.state)
    occurred_at: datetime = EventMapper(keys=None).to_domain_event(stored).audit.occurred_at
    return occurred_at


def consultation_recorded_at(record: Sealable) -> datetime:
    if not isinstance(record, StoredConsultation):
        raise TypeError("not an access log entry")
    return datetime.fromisoformat(str(record.columns[COLUMNS.index("recorded_at")]))


def load_log_signers(settings: Settings) -> list[NoteSigner]:
    """The checkpoint signing keys: the configured file; for the embedded store, a file
    next to the data, created on first start; for PostgreSQL, a file must be given."""
    path = settings.signing_key_file
    if path is None and settings.store == "postgres":
        raise StartupError(
            "the postgres store needs VTR_SIGNING_KEY_FILE: the key that signs the log's "
            "checkpoints lives outside the databases (make one with `python -m api "
            "new-signing-key --out FILE`)"
        )
    if path is None:
        path = settings.default_signing_key_file
        if not path.exists():
            write_new_key_file(path, [new_key_line(settings.log_origin, SIG_ED25519)])
            log.warning("signing_key_created", path=str(path), advice="back it up, apart")
    try:
        return note_signers(read_key_lines(path))
    except FileNotFoundError:
        raise StartupError(f"the signing key file {path} does not exist") from None
    except (OSError, UnicodeError) as error:
        raise StartupError(f"the signing key file {path}: {error}") from None
    except NoteError as error:
        raise StartupError(f"the signing key file {path}: {error}") from None


def open_event_recorder(settings: Settings) -> ApplicationRecorder:
    """The event store alone, for processes that only read the log (the projection worker)."""
    prepare_storage(settings)
    factory = InfrastructureFactory.construct(Environment("vtr", settings.eventsourcing_env()))
    return factory.application_recorder()


def open_keystore(settings: Settings) -> KeyStore:
    store: KeyStore
    if settings.store == "sqlite":
        store = SQLiteKeyStore(str(settings.data_dir / "keys.sqlite"))
    else:
        store = PostgresKeyStore(
            postgres_datastore(settings, settings.keystore_database),
            f"database {settings.keystore_database} on {settings.pg_host}:{settings.pg_port}",
        )
    store.create_table()
    return store


def open_projection_database(settings: Settings) -> ProjectionDatabase:
    if settings.store == "sqlite":
        return SQLiteProjectionDatabase(str(settings.data_dir / "views.sqlite"))
    return PostgresProjectionDatabase(postgres_datastore(settings, settings.pg_database))


def postgres_datastore(settings: Settings, database: str) -> PostgresDatastore:
    """A pooled connection to `database` whose every wait is bounded by the settings: for a
    connection, for a lock, for a statement; connections are checked before use."""
    datastore = PostgresDatastore(
        dbname=database,
        host=settings.pg_host,
        port=settings.pg_port,
        user=settings.pg_user,
        password=settings.pg_password.get_secret_value(),
        pool_size=settings.pg_pool_size,
        max_overflow=settings.pg_pool_size,
        lock_timeout=settings.pg_lock_timeout_seconds,
        connect_timeout=settings.pg_connect_timeout_seconds,
        idle_in_transaction_session_timeout=5,
        pre_ping=True,
    )
    recover_quickly(datastore)
    connection = datastore.pool.kwargs
    if isinstance(connection, dict):  # the library gives a dict; the pool allows a function
        connection["options"] = statement_timeout_option(settings)
    return datastore


def recover_quickly(datastore: PostgresDatastore) -> None:
    """The pool's background reconnection backs off exponentially; after a long outage its
    next try could be minutes away. Giving up after a few seconds instead lets the next
    request start a fresh attempt at once, so the service recovers as soon as the database."""
    datastore.pool.reconnect_timeout = RECONNECT_GIVE_UP_SECONDS


def statement_timeout_option(settings: Settings) -> str:
    return f"-c statement_timeout={settings.pg_statement_timeout_seconds * 1000}"


def prepare_storage(settings: Settings) -> None:
    if settings.store == "sqlite":
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        return
    for database in (settings.pg_database, settings.keystore_database):
        ensure_postgres_database(settings, database)


def ensure_postgres_database(settings: Settings, database: str) -> None:
    """Create the database if it is missing (the event store and key store each need one)."""
    where = f"PostgreSQL at {settings.pg_host}:{settings.pg_port} as {settings.pg_user}"
    try:
        with psycopg.connect(**settings.postgres_connection("postgres"), autocommit=True) as conn:  # type: ignore[arg-type]
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (database,)
            ).fetchone()
            if exists is None:
                conn.execute(SQL("CREATE DATABASE {0}").format(Identifier(database)))
                log.info("database_created", database=database)
            _bound_statements(conn, database, settings.pg_statement_timeout_seconds)
    except psycopg.OperationalError as error:
        raise StartupError(f"cannot reach {where}: {error}".strip()) from None
    except psycopg.Error as error:
        raise StartupError(
            f"database {database} is missing and {where} cannot create it: {error}"
        ) from None


def _bound_statements(conn: psycopg.Connection[Any], database: str, seconds: int) -> None:
    """Every session of the database, the library's own included, gets the statement timeout
    as its default. Only the database's owner may set it: otherwise say so and go on (the
    service's own pools set it per connection anyway). Set only when it differs: processes
    starting together (the API and its workers) would otherwise update the same catalogue
    row at once."""
    wanted = f"statement_timeout={seconds}s"
    current = conn.execute(
        "SELECT setconfig FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase "
        "WHERE d.datname = %s AND s.setrole = 0",
        (database,),
    ).fetchone()
    if current is not None and wanted in (current[0] or []):
        return
    try:
        conn.execute(
            SQL("ALTER DATABASE {0} SET statement_timeout = {1}").format(
                Identifier(database), Literal(f"{seconds}s")
            )
        )
    except psycopg.errors.InsufficientPrivilege:
        log.warning("statement_timeout_not_set", database=database, reason="not the owner")
    except psycopg.errors.InternalError:
        # "tuple concurrently updated": another process set it at the same moment.
        log.info("statement_timeout_set_elsewhere", database=database)


def load_master_key(settings: Settings) -> bytes:
    if settings.master_key is not None:
        return decode_master_key(settings.master_key.get_secret_value())
    if settings.master_key_file is not None:
        return _read_master_key(settings.master_key_file, "VTR_MASTER_KEY_FILE")
    if settings.store == "postgres":
        raise StartupError(
            "the postgres store needs VTR_MASTER_KEY or VTR_MASTER_KEY_FILE: it wraps the data "
            "keys, and without it stored personal data can be neither sealed nor read "
            "(the projection worker alone runs without it)"
        )
    path = settings.default_master_key_file
    if not path.exists():
        if (settings.data_dir / "keys.sqlite").exists():
            raise StartupError(
                f"the master key file {path} is missing, but the key store next to it holds "
                "data keys: restore the file (or set VTR_MASTER_KEY / VTR_MASTER_KEY_FILE); "
                "a new key would open none of them"
            )
        _create_master_key(path)
    return _read_master_key(path, "the embedded store's master key file")


def _read_master_key(path: Path, source: str) -> bytes:
    try:
        return decode_master_key(path.read_text(encoding="ascii"))
    except FileNotFoundError:
        raise StartupError(f"{source} {path} does not exist") from None
    except (OSError, ValueError) as error:
        raise StartupError(f"{source} {path}: {error}") from None


def _create_master_key(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_key_file(path, os.urandom(32))
    log.warning("master_key_created", path=str(path), advice="back it up with the data")


def replace_master_key_file(path: Path, master_key: bytes) -> None:
    """Put a new master key in the file, atomically (a crash leaves the old or the new)."""
    staging = path.with_name(path.name + ".new")
    staging.unlink(missing_ok=True)
    _write_key_file(staging, master_key)
    staging.replace(path)


def _write_key_file(path: Path, master_key: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as key_file:
        key_file.write(base64.b64encode(master_key).decode() + "\n")
