"""`make bench`: throughput ratios on PostgreSQL, all measured in one run.

(a) single-event commands through the ledger vs the bare `eventsourcing` library saving a
    comparable single-event change to an existing aggregate;
(b) HTTP commands with concurrent clients (uvicorn in its own process) vs (a);
(c) case-view rebuild, events per second, vs (a);
(d) exporting one agency's 100,000-disclosure register over HTTP (CSV, JSON, as of a
    moment), rows per second, vs reading the same stored rows with one raw SQL query; and
    its projection's rebuild, rows per second, vs the case view's rebuild from the same log,
    events per second, in alternating rounds (see bench/register_export.py);
(e) erasing a 1,000-event case vs approving it, and reading such a case's history with its
    personal data opened vs the same case stored unsealed (see bench/erasure.py);
(f) reading a case through the access-control gate (token, permission matrix, access log)
    vs the same read with the gate switched off, with concurrent readers and with one; and
    through the gate with nothing written to the access log vs the same open read, the
    gate's own cost apart from the log's durable commit (see bench/authz.py);
(g) single-event commands on a 1,000-event case vs on a 10-event case (see bench/long_case.py);
(h) the tamper-evident log (see bench/integrity.py): verifying a 20,000-event log, events per
    second, vs scanning its stored rows raw; sealing it vs (a); and (a)'s commands with the
    in-process sealer following the log vs with it stopped;
(i) a dispute pack of a 1,000-event case over HTTP vs a revealed history read of the same
    case (see bench/dispute_pack.py);
(j) reading a 1,000-event case over HTTP as of now, folded from the log, vs reading it live
    from the case view (see bench/as_of_read.py);
(k) one agency's worklist over the synthetic year, over HTTP (see bench/worklist.py).

Each group is measured in alternating rounds, so the drift of a shared, noisy machine
falls on all of its members alike. Prints one JSON line at the end: compare the ratios.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar
from uuid import uuid4

import psycopg
from psycopg.sql import SQL, Identifier
from pydantic import SecretStr

from api.bootstrap import open_runtime, prepare_storage
from api.settings import Settings
from bench.as_of_read import AsOfFigures, as_of_result, measure_as_of_read
from bench.authz import AuthzFigures, authz_result, measure_authz
from bench.dispute_pack import measure_dispute_pack, pack_result
from bench.erasure import ErasureFigures, measure_erasure
from bench.group_commit import measure_group_commit
from bench.http_load import HttpBench
from bench.integrity import IntegrityFigures, integrity_result, measure_integrity
from bench.library_baseline import LibraryBench
from bench.long_case import LongCaseFigures, measure_long_case
from bench.register_export import RegisterFigures, measure_register
from bench.worklist import WorklistFigures, measure_worklist, worklist_result
from bench.workload import LedgerBench, Measured, measure_rebuild, rate
from events.integrity.keys import new_key_line, write_new_key_file
from events.integrity.note import SIG_ED25519

T = TypeVar("T")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--referrals", type=int, default=100, help="referrals per round")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--clients", type=int, default=8, help="concurrent HTTP clients")
    parser.add_argument(
        "--register-disclosures", type=int, default=100_000, help="disclosures in the register"
    )
    parser.add_argument("--register-rounds", type=int, default=3)
    parser.add_argument(
        "--only-register", action="store_true", help="(d) alone, with (c) for its rebuild ratio"
    )
    parser.add_argument("--erasure-cases", type=int, default=5)
    parser.add_argument("--read-rounds", type=int, default=30)
    parser.add_argument("--authz-reads", type=int, default=300)
    parser.add_argument("--authz-rounds", type=int, default=6)
    parser.add_argument("--only-authz", action="store_true", help="(f) alone")
    parser.add_argument("--long-cases", type=int, default=4)
    parser.add_argument("--long-case-commands", type=int, default=10, help="per case per round")
    parser.add_argument(
        "--integrity-events", type=int, default=20_000, help="events in the log sealed and verified"
    )
    parser.add_argument("--integrity-rounds", type=int, default=3)
    parser.add_argument("--pack-rounds", type=int, default=5, help="(i): packs and reads")
    parser.add_argument("--only-pack", action="store_true", help="(i) alone")
    parser.add_argument("--as-of-reads", type=int, default=3, help="(j): reads per round")
    parser.add_argument("--as-of-rounds", type=int, default=4)
    parser.add_argument("--only-as-of", action="store_true", help="(j) alone")
    parser.add_argument("--worklist-rounds", type=int, default=10, help="(k): reads")
    parser.add_argument("--only-worklist", action="store_true", help="(k) alone")
    parser.add_argument(
        "--only-commands",
        action="store_true",
        help="concurrent HTTP commands, group commit on and off, vs the library",
    )
    parser.add_argument(
        "--only-integrity", action="store_true", help="(h) alone, with (a) for its command rate"
    )
    parser.add_argument("--pg-host", default=os.environ.get("VTR_BENCH_PG_HOST", "127.0.0.1"))
    args = parser.parse_args()
    # The checkpoint signing key lives outside the databases, as in production; the bench's
    # is thrown away with its databases.
    with tempfile.TemporaryDirectory(prefix="vtr-bench-") as keys:
        run(args, Path(keys) / "signing.key")


def run(args: argparse.Namespace, signing_key_file: Path) -> None:
    settings = Settings(
        store="postgres",
        pg_host=args.pg_host,
        pg_database=f"vtr_bench_{uuid4().hex[:8]}",
        pg_pool_size=10,
        master_key=SecretStr(base64.b64encode(os.urandom(32)).decode()),
        projections="external",
        signing_key_file=signing_key_file,
        log_level="WARNING",
        log_format="json",
    )
    write_new_key_file(signing_key_file, [new_key_line(settings.log_origin, SIG_ED25519)])
    if args.only_pack:
        pack = _in_own_database(
            settings, "pack", lambda own: measure_dispute_pack(own, args.pack_rounds)
        )
        result = pack_result(pack)
    elif args.only_as_of:
        result = as_of_result(_measure_as_of(settings, args.as_of_reads, args.as_of_rounds))
    elif args.only_worklist:
        result = worklist_result(_measure_worklist(settings, args))
    elif args.only_authz:
        result = authz_result(_measure_authz(settings, args))
    elif args.only_commands:
        result = _in_own_database(
            settings,
            "commands",
            lambda own: measure_group_commit(own, args.referrals, args.rounds, args.clients),
        )
    elif args.only_register:
        result = _register_only(settings, args)
    else:
        result = _integrity_only(settings, args) if args.only_integrity else _all(settings, args)
    print(json.dumps(result))
    sys.stdout.flush()


def _all(settings: Settings, args: argparse.Namespace) -> dict[str, float]:
    database = settings.pg_database
    totals: dict[str, list[Measured]] = {"library": [], "ledger": [], "http": []}
    try:
        prepare_storage(settings)
        library = LibraryBench(settings, args.referrals, args.rounds)
        ledger = LedgerBench(settings, args.referrals, args.rounds)
        http = HttpBench(settings, args.referrals, args.rounds, args.clients)
        try:
            for index in range(args.rounds):
                totals["library"].append(library.round(index))
                totals["ledger"].append(ledger.round(index))
                totals["http"].append(http.round(index))
        finally:
            for bench in (library, ledger, http):
                bench.close()
        rebuild = measure_rebuild(settings)
    finally:
        _drop(settings, [database, settings.keystore_database])
    register = _measure_register(settings, args.register_disclosures, args.register_rounds)
    erasure = _measure_erasure(settings, args.erasure_cases, args.read_rounds)
    authz = _measure_authz(settings, args)
    long_case = _measure_long_case(settings, args.long_cases, args.long_case_commands, args.rounds)
    integrity = _measure_integrity(settings, args)
    pack = _in_own_database(
        settings, "pack", lambda own: measure_dispute_pack(own, args.pack_rounds)
    )
    as_of = _measure_as_of(settings, args.as_of_reads, args.as_of_rounds)
    worklist = _measure_worklist(settings, args)

    rates = {name: rate(measured) for name, measured in totals.items()}
    return {
        "library_per_s": round(rates["library"], 1),
        "command_per_s": round(rates["ledger"], 1),
        "http_per_s": round(rates["http"], 1),
        "rebuild_events_per_s": round(rebuild.operations / rebuild.seconds, 1),
        "events_rebuilt": rebuild.operations,
        "http_clients": args.clients,
        "rounds": args.rounds,
        "command_vs_library": round(rates["ledger"] / rates["library"], 3),
        "http_vs_command": round(rates["http"] / rates["ledger"], 3),
        # (b)'s server has group commit on, as the service does by default.
        "group_commit_vs_library": round(rates["http"] / rates["library"], 3),
        "rebuild_vs_command": round(rebuild.operations / rebuild.seconds / rates["ledger"], 3),
        **_register_result(register),
        **_erasure_result(erasure),
        **authz_result(authz),
        **_long_case_result(long_case),
        **integrity_result(integrity, rates["ledger"]),
        **pack_result(pack),
        **as_of_result(as_of),
        **worklist_result(worklist),
    }


def _integrity_only(settings: Settings, args: argparse.Namespace) -> dict[str, float]:
    """(h) alone, with the ledger's command rate it compares the sealer with: (a) without
    the library and HTTP rounds beside it."""
    commands = _in_own_database(
        settings, "ledger", lambda own: _ledger_rounds(own, args.referrals, args.rounds)
    )
    integrity = _measure_integrity(settings, args)
    return {
        "command_per_s": round(rate(commands), 1),
        "rounds": args.rounds,
        **integrity_result(integrity, rate(commands)),
    }


def _register_only(settings: Settings, args: argparse.Namespace) -> dict[str, float]:
    """(d) alone: the register's exports, and its rebuild beside the case view's."""
    return _register_result(
        _measure_register(settings, args.register_disclosures, args.register_rounds)
    )


def _ledger_rounds(settings: Settings, referrals: int, rounds: int) -> list[Measured]:
    bench = LedgerBench(settings, referrals, rounds)
    try:
        return [bench.round(index) for index in range(rounds)]
    finally:
        bench.close()


def _measure_integrity(settings: Settings, args: argparse.Namespace) -> IntegrityFigures:
    return _in_own_database(
        settings,
        "integrity",
        lambda own: measure_integrity(
            own, args.integrity_events, args.integrity_rounds, args.referrals, args.rounds
        ),
    )


def _measure_worklist(settings: Settings, args: argparse.Namespace) -> WorklistFigures:
    return _in_own_database(
        settings, "worklist", lambda own: measure_worklist(own, args.worklist_rounds)
    )


def _measure_register(settings: Settings, disclosures: int, rounds: int) -> RegisterFigures:
    def measure(own: Settings) -> RegisterFigures:
        runtime = open_runtime(own)
        try:
            return measure_register(own, runtime, disclosures, rounds)
        finally:
            runtime.close()

    return _in_own_database(settings, "register", measure)


def _register_result(figures: RegisterFigures) -> dict[str, float]:
    rates = {name: rate(measured) for name, measured in figures.rounds.items()}
    register_rebuild, case_rebuild = rate(figures.rebuild), rate(figures.case_rebuild)
    return {
        "register_disclosures": figures.disclosures,
        "register_rows": figures.register_rows,
        "register_seed_s": round(figures.seed_seconds, 1),
        "register_rebuild_rows_per_s": round(register_rebuild, 1),
        "register_log_case_rebuild_events_per_s": round(case_rebuild, 1),
        "raw_register_read_rows_per_s": round(rates["raw"], 1),
        "register_export_rows_per_s": round(rates["csv"], 1),
        "register_export_json_rows_per_s": round(rates["json"], 1),
        "register_as_of_rows_per_s": round(rates["as_of"], 1),
        "csv_export_vs_raw_read": round(rates["csv"] / rates["raw"], 3),
        "json_export_vs_raw_read": round(rates["json"] / rates["raw"], 3),
        "as_of_vs_live_json": round(rates["as_of"] / rates["json"], 3),
        "register_rebuild_vs_case_rebuild": round(register_rebuild / case_rebuild, 3),
    }


def _measure_erasure(settings: Settings, cases: int, read_rounds: int) -> ErasureFigures:
    return _in_own_database(
        settings, "erasure", lambda own: measure_erasure(own, cases, read_rounds)
    )


def _measure_authz(settings: Settings, args: argparse.Namespace) -> AuthzFigures:
    return _in_own_database(
        settings,
        "authz",
        lambda own: measure_authz(own, args.authz_reads, args.authz_rounds, args.clients),
    )


def _measure_as_of(settings: Settings, reads: int, rounds: int) -> AsOfFigures:
    return _in_own_database(settings, "as_of", lambda own: measure_as_of_read(own, reads, rounds))


def _measure_long_case(
    settings: Settings, cases: int, commands: int, rounds: int
) -> LongCaseFigures:
    return _in_own_database(
        settings, "long_case", lambda own: measure_long_case(own, cases, commands, rounds)
    )


def _long_case_result(figures: LongCaseFigures) -> dict[str, float]:
    long, short = rate(figures.long), rate(figures.short)
    return {
        "long_case_command_per_s": round(long, 1),
        "short_case_command_per_s": round(short, 1),
        "command_long_vs_short_case": round(long / short, 3),
    }


def _in_own_database(settings: Settings, name: str, measure: Callable[[Settings], T]) -> T:
    """Run `measure` on a database (and key store) of its own, dropped afterwards."""
    database = f"vtr_bench_{name}_{uuid4().hex[:8]}"
    own = settings.model_copy(update={"pg_database": database})
    try:
        prepare_storage(own)
        return measure(own)
    finally:
        _drop(own, [database, own.keystore_database])


def _erasure_result(figures: ErasureFigures) -> dict[str, float]:
    return {
        "case_events": figures.case_events,
        "erasure_ms": round(figures.erasure_ms, 1),
        "erasure_approval_ms": round(figures.approval_ms, 1),
        "erasure_vs_approval": round(figures.erasure_ms / figures.approval_ms, 3),
        "sealed_read_ms": round(figures.sealed_read_ms, 1),
        "unsealed_read_ms": round(figures.clear_read_ms, 1),
        "read_overhead_sealed": round(figures.sealed_read_ms / figures.clear_read_ms, 3),
    }


def _drop(settings: Settings, databases: list[str]) -> None:
    with psycopg.connect(**settings.postgres_connection("postgres"), autocommit=True) as conn:  # type: ignore[arg-type]
        for name in databases:
            conn.execute(SQL("DROP DATABASE IF EXISTS {0} WITH (FORCE)").format(Identifier(name)))


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"# finished in {time.perf_counter() - started:.0f} s", file=sys.stderr)
