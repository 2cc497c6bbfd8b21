"""Counts of what the fault tests injected and checked, printed in the test summary."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class FaultTally:
    faults: Counter[str] = field(default_factory=Counter)
    acknowledged_writes_checked: int = 0

    def fault(self, kind: str, times: int = 1) -> None:
        self.faults[kind] += times

    def acknowledged(self, count: int) -> None:
        self.acknowledged_writes_checked += count

    def summary(self) -> str | None:
        if not self.faults:
            return None
        kinds = ", ".join(f"{kind} x{count}" for kind, count in sorted(self.faults.items()))
        return (
            f"faults injected: {sum(self.faults.values())} ({kinds}); "
            f"acknowledged writes checked: {self.acknowledged_writes_checked}"
        )


tally = FaultTally()
