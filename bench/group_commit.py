"""Concurrent HTTP commands with group commit on and off vs the bare library's rate.

The library saves one command per transaction from one thread: its rate is what one commit
(one WAL flush) at a time allows. The HTTP server's clients send commands on different
referrals at once; with group commit they share transactions. Measured in alternating rounds
in one database: the library, the ledger's commands in process, and HTTP with group commit
on and off (two servers side by side, each idle while the other is measured).
"""

from __future__ import annotations

from typing import Protocol

from api.settings import Settings
from bench.http_load import HttpBench
from bench.library_baseline import LibraryBench
from bench.workload import LedgerBench, Measured, rate


class _Bench(Protocol):
    def round(self, index: int) -> Measured: ...

    def close(self) -> None: ...


def measure_group_commit(
    settings: Settings, referrals: int, rounds: int, clients: int
) -> dict[str, float]:
    # A small pool: eight clients need a connection each to load, one to write.
    settings = settings.model_copy(update={"pg_pool_size": 5})
    benches: dict[str, _Bench] = {
        "library": LibraryBench(settings, referrals, rounds),
        "ledger": LedgerBench(settings, referrals, rounds),
        "http_group": HttpBench(
            settings.model_copy(update={"pg_group_commit": True}), referrals, rounds, clients
        ),
        "http_one_by_one": HttpBench(
            settings.model_copy(update={"pg_group_commit": False}), referrals, rounds, clients
        ),
    }
    totals: dict[str, list[Measured]] = {name: [] for name in benches}
    try:
        for index in range(rounds):
            for name, bench in benches.items():
                totals[name].append(bench.round(index))
    finally:
        for bench in benches.values():
            bench.close()
    rates = {name: rate(measured) for name, measured in totals.items()}
    return {
        "library_per_s": round(rates["library"], 1),
        "command_per_s": round(rates["ledger"], 1),
        "http_group_commit_per_s": round(rates["http_group"], 1),
        "http_one_by_one_per_s": round(rates["http_one_by_one"], 1),
        "http_clients": clients,
        "rounds": rounds,
        "group_commit_vs_library": round(rates["http_group"] / rates["library"], 3),
        "one_by_one_vs_library": round(rates["http_one_by_one"] / rates["library"], 3),
        "command_vs_library": round(rates["ledger"] / rates["library"], 3),
        "http_vs_command": round(rates["http_group"] / rates["ledger"], 3),
    }
