"""The disclosure register's stored rows: a register stored in an older shape is rebuilt from
the log at start, and a batch of rows is appended with its position or not at all."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import IntegrityError
from fastapi import FastAPI

from api.bootstrap import Runtime, open_runtime
from api.settings import Settings
from events.sharing import InformationDisclosed
from projections.disclosure_register import (
    ROW_COLUMNS,
    ROWS,
    SCHEMA_KEY,
    SCHEMA_VERSION,
    SCHEMAS,
    DisclosureRegister,
)
from projections.register_rows import RegisterQuery
from projections.runner import RecorderFeed
from tests.api_client import Api
from tests.sharing_support import (
    CHILDRENS,
    POLICE,
    SCHOOL,
    at_meeting,
    disclosure,
    register_agencies,
)
from tests.support import FixedClock

# The register's table as the first shape stored it: each row's JSON alone.
FIRST_SHAPE = (
    "CREATE TABLE {rows} (position BIGINT NOT NULL, recipient_no INTEGER NOT NULL, "
    "referral_id TEXT NOT NULL, disclosed_at TEXT NOT NULL, recorded_at TEXT NOT NULL, "
    "disclosing_agency_id TEXT NOT NULL, recipient_agency_id TEXT NOT NULL, row TEXT NOT NULL, "
    "PRIMARY KEY (position, recipient_no))"
)
FIRST_COLUMNS = ROW_COLUMNS[:8]


@pytest.fixture
def police(api: Api, clock: FixedClock, app: FastAPI) -> UUID:
    """The police after three disclosures (one to two recipients), all projected; the API's
    own workers stopped."""
    agencies = register_agencies(api)
    referral_id = at_meeting(api, clock, agencies)
    for recipients in ([CHILDRENS], [SCHOOL, CHILDRENS], [SCHOOL]):
        body = disclosure(
            agencies[POLICE], [agencies[name] for name in recipients], context="strategy_meeting"
        )
        api.ok(referral_id, "disclosures", body, by="police-1")
    runtime: Runtime = app.state.runtime
    runtime.projections.stop()
    runtime.projections.catch_up()
    return agencies[POLICE]


def exports(register: DisclosureRegister, agency_id: UUID) -> tuple[list[str], list[str]]:
    query = RegisterQuery(agency_id)
    return list(register.exported(query, "json")), list(register.exported(query, "csv"))


def leave_in_the_first_shape(runtime: Runtime) -> None:
    """Put the register back as the first shape left it: its rows' JSON, its position, and
    no schema version recorded."""
    db = runtime.projections.db
    sql = db.dialect.statement
    rows = db.rows(sql("SELECT {columns} FROM {rows}", columns=FIRST_COLUMNS, rows=ROWS), [])
    db.create([sql("DROP TABLE {rows}", rows=ROWS), sql(FIRST_SHAPE, rows=ROWS)])
    insert = sql(
        "INSERT INTO {rows} ({columns}) VALUES ({marks})",
        rows=ROWS,
        columns=FIRST_COLUMNS,
        marks=db.dialect.marks(len(FIRST_COLUMNS)),
    )
    forget = sql("DELETE FROM {schemas} WHERE projection={mark}", schemas=SCHEMAS)
    db.run([(insert, [tuple(row[column] for column in FIRST_COLUMNS) for row in rows])])
    db.run([(forget, [(SCHEMA_KEY,)])])


def test_a_register_stored_in_the_first_shape_is_rebuilt_at_start(
    settings: Settings, app: FastAPI, clock: FixedClock, police: UUID
) -> None:
    runtime: Runtime = app.state.runtime
    register = runtime.projections.register
    position = register.position()
    before = exports(register, police)
    assert len(before[0]) == 4
    leave_in_the_first_shape(runtime)
    assert (register.schema_version(), register.position()) == (None, position)

    reopened = open_runtime(settings, clock=clock)
    try:
        rebuilt = reopened.projections.register
        assert rebuilt.schema_version() == SCHEMA_VERSION
        assert rebuilt.position() == 0  # dropped, with its position
        assert exports(rebuilt, police) == ([], [])
        reopened.projections.catch_up()
        assert rebuilt.position() == position
        assert exports(rebuilt, police) == before
    finally:
        reopened.close()

    again = open_runtime(settings, clock=clock)  # the current shape is kept as it is
    try:
        assert again.projections.register.position() == position
        assert exports(again.projections.register, police) == before
    finally:
        again.close()


def stored_rows(runtime: Runtime) -> list[Any]:
    db = runtime.projections.db
    return db.rows(db.dialect.statement("SELECT position FROM {rows}", rows=ROWS), [])


def test_a_batch_that_fails_part_way_leaves_no_row_and_keeps_its_position(
    app: FastAPI, police: UUID
) -> None:
    runtime: Runtime = app.state.runtime
    register = runtime.projections.register
    before = exports(register, police)
    register.clear()
    feed = RecorderFeed(runtime.ledger.recorder, register.topics)
    latest = feed.latest_position()
    batch = feed.read(after=0, up_to=latest, limit=1000)
    disclosed = [entry for entry in batch if isinstance(entry[1], InformationDisclosed)]
    assert len(disclosed) == 3

    # The last row repeats the first: the database refuses it after the others were sent.
    with pytest.raises(IntegrityError):
        register.apply([*batch, disclosed[0]], 0, latest)
    assert (register.position(), stored_rows(runtime)) == (0, [])

    assert register.apply(batch, 0, latest)
    assert register.position() == latest
    assert exports(register, police) == before
