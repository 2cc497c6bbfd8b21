"""The agency directory: every agency, its type, and its protocol signatures.

It keeps each agency's state as the aggregate folds it, so "is the ISP valid today?" is
answered by the same rule that refuses an invitation or a disclosure.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from aggregates.agency import AgencyState, evolve_agency
from events.registry import AGENCY_EVENTS
from projections.database import ProjectionDatabase, Reader, Write
from projections.runner import Positioned

TABLE = "vtr_agencies"
CREATE_TABLE = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} (agency_id TEXT PRIMARY KEY, name TEXT NOT NULL, "
    "agency_type TEXT NOT NULL, state TEXT NOT NULL)"
)


class AgencyDirectory:
    name = "agencies"
    topics = tuple(event.TOPIC for event in AGENCY_EVENTS)
    tracking_key = "vtr:agencies"

    def __init__(self, db: ProjectionDatabase) -> None:
        self.db = db
        marks = ",".join([db.MARK] * 4)
        self._upsert = (
            f"INSERT INTO {TABLE} (agency_id, name, agency_type, state) VALUES ({marks}) "
            "ON CONFLICT (agency_id) DO UPDATE SET name=excluded.name, "
            "agency_type=excluded.agency_type, state=excluded.state"
        )

    def create_table(self) -> None:
        self.db.create([CREATE_TABLE])

    def position(self) -> int:
        return self.db.position(self.tracking_key)

    def apply(self, batch: Sequence[Positioned], after: int, up_to: int) -> bool:
        agency_ids = {event.originator_id for _, event in batch}

        def writes(read: Reader) -> list[Write]:
            states = {state.agency_id: state for state in self._states(agency_ids, read)}
            for _, event in batch:
                states[event.originator_id] = evolve_agency(states.get(event.originator_id), event)
            rows = [
                (str(state.agency_id), state.name, state.agency_type.value, state.model_dump_json())
                for state in states.values()
            ]
            return [(self._upsert, rows)]

        return self.db.advance(self.tracking_key, after, up_to, writes)

    def agencies(self) -> list[AgencyState]:
        rows = self.db.rows(f"SELECT state FROM {TABLE} ORDER BY name, agency_id", [])
        return [AgencyState.model_validate_json(row["state"]) for row in rows]

    def agency(self, agency_id: UUID) -> AgencyState | None:
        rows = self.db.rows(
            f"SELECT state FROM {TABLE} WHERE agency_id={self.db.MARK}", [str(agency_id)]
        )
        return AgencyState.model_validate_json(rows[0]["state"]) if rows else None

    def clear(self) -> None:
        self.db.clear([TABLE], self.tracking_key)

    def _states(self, agency_ids: set[UUID], read: Reader) -> list[AgencyState]:
        if not agency_ids:
            return []
        marks = ",".join([self.db.MARK] * len(agency_ids))
        rows = read(
            f"SELECT state FROM {TABLE} WHERE agency_id IN ({marks})", [str(a) for a in agency_ids]
        )
        return [AgencyState.model_validate_json(row["state"]) for row in rows]
