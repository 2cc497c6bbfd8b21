"""The agency directory: every agency, its type, and its protocol signatures.

It keeps each agency's state as the aggregate folds it, so "is the ISP valid today?" is
answered by the same rule that refuses an invitation or a disclosure.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from uuid import UUID

from aggregates.agency import AgencyState, evolve_agency
from events.registry import AGENCY_EVENTS
from projections.database import ProjectionDatabase, Reader, Write
from projections.runner import Positioned

TABLE = "vtr_agencies"
CREATE_TABLE = (
    "CREATE TABLE IF NOT EXISTS {table} (agency_id TEXT PRIMARY KEY, name TEXT NOT NULL, "
    "agency_type TEXT NOT NULL, state TEXT NOT NULL)"
)


class AgencyDirectory:
    name = "agencies"
    topics = tuple(event.TOPIC for event in AGENCY_EVENTS)
    tracking_key = "vtr:agencies"

    def __init__(self, db: ProjectionDatabase) -> None:
        self.db = db
        self._sql = partial(db.dialect.statement, table=TABLE)
        self._create = self._sql(CREATE_TABLE)
        self._upsert = self._sql(
            "INSERT INTO {table} (agency_id, name, agency_type, state) "
            "VALUES ({mark},{mark},{mark},{mark}) "
            "ON CONFLICT (agency_id) DO UPDATE SET name=excluded.name, "
            "agency_type=excluded.agency_type, state=excluded.state"
        )
        self._all = self._sql("SELECT state FROM {table} ORDER BY name, agency_id")
        self._one = self._sql("SELECT state FROM {table} WHERE agency_id={mark}")

    def create_table(self) -> None:
        self.db.create([self._create])

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
        rows = self.db.rows(self._all, [])
        return [AgencyState.model_validate_json(row["state"]) for row in rows]

    def agency(self, agency_id: UUID) -> AgencyState | None:
        rows = self.db.rows(self._one, [str(agency_id)])
        return AgencyState.model_validate_json(rows[0]["state"]) if rows else None

    def clear(self) -> None:
        self.db.clear([TABLE], self.tracking_key)

    def _states(self, agency_ids: set[UUID], read: Reader) -> list[AgencyState]:
        if not agency_ids:
            return []
        # One statement per batch: how many agencies a batch touches varies.
        marks = self.db.dialect.marks(len(agency_ids))
        rows = read(
            self._sql("SELECT state FROM {table} WHERE agency_id IN ({marks})", marks=marks),
            [str(agency_id) for agency_id in agency_ids],
        )
        return [AgencyState.model_validate_json(row["state"]) for row in rows]
