"""Protective marking and watermarks on everything that carries case data.

The referral form is marked "RESTRICTED WHEN COMPLETE" (the Government Protective Marking
Scheme in use when the guidance was written); since 2014 the Government Security
Classifications call such information OFFICIAL-SENSITIVE.
"""

from __future__ import annotations

from datetime import datetime

from commands.context import Actor
from projections.register_export import instant

PROTECTIVE_MARKING = "OFFICIAL-SENSITIVE"
MARKING_AS_WRITTEN = "RESTRICTED"


def watermark(actor: Actor, produced_at: datetime) -> dict[str, str]:
    """Who produced an export, and when: printed on it, so a copy that travels says so."""
    return {
        "protective_marking": PROTECTIVE_MARKING,
        "marking_in_the_guidance": MARKING_AS_WRITTEN,
        "produced_by": actor.actor_id,
        "produced_by_role": actor.role.value,
        "produced_by_agency": actor.agency,
        "produced_at": instant(produced_at),
    }


def marking_line(actor: Actor, produced_at: datetime) -> str:
    """The first line of a CSV export (a `#` line; `read_csv` passes over it)."""
    return (
        f"# {PROTECTIVE_MARKING} (formerly {MARKING_AS_WRITTEN}) - produced by "
        f"{actor.actor_id} ({actor.role.value}, {actor.agency}) at {instant(produced_at)}"
    )
