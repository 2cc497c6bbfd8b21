"""Snapshots of a referral's state: personal-data free, never changing an answer, and never
trusted when stale, corrupt or of another state schema (both stores, through the real API).

The ledger snapshots every 20 folded events; these tests lower that to 3, so ordinary cases
have snapshots.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from uuid import UUID

import psycopg
import pytest
from eventsourcing.persistence import StoredEvent
from fastapi import FastAPI
from fastapi.testclient import TestClient
from psycopg.sql import SQL, Identifier
from pydantic import create_model

from aggregates.referral import Referral
from aggregates.referral_state import ReferralState, Stage
from api.bootstrap import Runtime
from api.http.app import create_app
from api.settings import Settings
from commands.application import ReferralLedger
from commands.snapshots import (
    SNAPSHOT_TOPIC,
    TOPIC_PREFIX,
    ReferralSnapshot,
    SnapshotMapper,
    schema_version,
)
from tests import lifecycle
from tests.api_client import Api
from tests.integration.test_erasure import DISCLOSED
from tests.section8_support import case_with_disclosures, erase_case
from tests.sharing_support import CHILDRENS, SCHOOL, register_agencies
from tests.support import (
    NARRATIVE,
    PERSONAL_DATA,
    FixedClock,
    find_personal_data,
    referral_form,
)

INTERVAL = 3


@pytest.fixture
def runtime(app: FastAPI, api: Api) -> Runtime:
    started: Runtime = app.state.runtime
    started.ledger.referral_snapshots.interval = INTERVAL
    return started


def raw_snapshots(settings: Settings) -> list[tuple[str, int, str, bytes]]:
    """Every row of the snapshot table, read from the database itself."""
    if settings.store == "sqlite":
        with sqlite3.connect(settings.data_dir / "events.sqlite") as conn:
            rows = conn.execute(
                "SELECT originator_id, originator_version, topic, state FROM stored_snapshots"
            ).fetchall()
        return [(str(UUID(row[0])), row[1], row[2], bytes(row[3])) for row in rows]
    with psycopg.connect(**settings.postgres_connection(settings.pg_database)) as conn:  # type: ignore[arg-type]
        query = SQL("SELECT originator_id, originator_version, topic, state FROM {0}").format(
            Identifier("vtr_snapshots")
        )
        rows = conn.execute(query).fetchall()
    return [(str(row[0]), row[1], row[2], bytes(row[3])) for row in rows]


def replayed(ledger: ReferralLedger, referral_id: UUID) -> ReferralState:
    """The state folded from every stored event, no snapshot involved."""
    referral = Referral.project(None, ledger.events.get(referral_id))
    assert referral is not None
    return referral.state


def test_a_snapshot_holds_only_the_state_and_no_personal_value(
    api: Api, clock: FixedClock, runtime: Runtime, settings: Settings
) -> None:
    referral_id = lifecycle.full_lifecycle(api, clock)
    agencies = register_agencies(api)
    shared = case_with_disclosures(api, clock, agencies, "2026-03-09", [[SCHOOL], [CHILDRENS]])
    for case in (referral_id, shared):
        runtime.ledger.referral(case)  # a read that folds enough events leaves a snapshot

    rows = {row[0]: row for row in raw_snapshots(settings)}
    assert set(rows) == {str(referral_id), str(shared)}, "one snapshot per case"
    for case in (referral_id, shared):
        _, version, topic, state = rows[str(case)]
        assert topic == SNAPSHOT_TOPIC
        stored = json.loads(state)
        assert stored["state"]["version"] == version
        assert runtime.ledger.referral(case).version - INTERVAL < version
        assert set(stored) == {"position", "state"}
        assert set(stored["state"]) == set(ReferralState.model_fields)
        text = state.decode()
        assert find_personal_data(text) == []
        assert NARRATIVE not in text
        assert DISCLOSED not in text
    assert len(PERSONAL_DATA) > 5, "the search looks for the case's personal values"


def test_history_still_reads_every_event_of_a_snapshotted_case(
    api: Api, clock: FixedClock, runtime: Runtime
) -> None:
    referral_id = lifecycle.full_lifecycle(api, clock)
    version = runtime.ledger.referral(referral_id).version
    assert runtime.ledger.referral_snapshots.latest(referral_id) is not None

    history = api.history(referral_id)

    assert [event["version"] for event in history] == list(range(1, version + 1))


def test_state_from_a_snapshot_at_any_version_and_the_later_events_is_the_state_of_all_events(
    api: Api, clock: FixedClock, runtime: Runtime
) -> None:
    """Every cut of a whole lived case, snapshot stored and loaded through the real tables.
    (tests/integration/test_process_properties.py checks the same on generated cases.)"""
    ledger = runtime.ledger
    referral_id = lifecycle.full_lifecycle(api, clock)
    whole = replayed(ledger, referral_id)
    history = ledger.ledger_recorder.select_history(referral_id)
    mapper = ledger._event_mapper()
    for cut in range(1, len(history) + 1):
        folded = Referral.project(None, (mapper.to_domain_event(n) for n in history[:cut]))
        assert folded is not None
        ledger.referral_snapshots.keep(folded, history[cut - 1].id)
        assert ledger.referral_snapshots.latest(referral_id) == ReferralSnapshot(
            referral_id, cut, history[cut - 1].id, folded.state
        )

        assert ledger.referral(referral_id).state == whole, f"snapshot at version {cut}"


def test_an_erased_case_keeps_a_personal_data_free_snapshot_and_still_reads(
    api: Api, clock: FixedClock, runtime: Runtime, settings: Settings
) -> None:
    agencies = register_agencies(api)
    referral_id = case_with_disclosures(
        api, clock, agencies, "2026-03-05", [[CHILDRENS, SCHOOL], [SCHOOL]]
    )
    runtime.ledger.referral(referral_id)
    assert runtime.ledger.referral_snapshots.latest(referral_id) is not None

    erase_case(api, referral_id)
    runtime.ledger.referral(referral_id)  # the erasure's events fold into a new snapshot

    (row,) = raw_snapshots(settings)
    stored = json.loads(row[3])
    assert stored["state"]["erased_groups"] == ["subject", "third_party", "referrer"]
    assert find_personal_data(row[3].decode()) == []
    assert DISCLOSED not in row[3].decode()
    loaded = runtime.ledger.referral(referral_id)
    assert loaded.state == replayed(runtime.ledger, referral_id)
    # The case view as of the erasure (read-your-writes), not whenever its worker gets there.
    erased = api.case(referral_id, after=api.log_position())
    assert erased["erased_groups"] == ["subject", "third_party", "referrer"]
    assert api.history(referral_id)[0]["data"]["subject"]["withheld"] == "sealed"


def _misleading(ledger: ReferralLedger, referral_id: UUID) -> tuple[ReferralState, int]:
    """A well-formed snapshot of the case's current version whose state is wrong (it says
    screened out), with the position of the case's last event."""
    history = ledger.ledger_recorder.select_history(referral_id)
    state = replayed(ledger, referral_id).model_copy(update={"stage": Stage.SCREENED_OUT})
    return state, history[-1].id


def _in_triage(api: Api) -> UUID:
    """A referral received and security-checked: two events, too few to snapshot itself."""
    referral_id = api.received(referral_form())
    api.ok(referral_id, "security-checks", by="triage-1")
    return referral_id


def _store(ledger: ReferralLedger, stored: StoredEvent) -> None:
    ledger.referral_snapshots.table.replace_snapshot(stored)


def _encoded(referral_id: UUID, version: int, position: int, state: ReferralState) -> StoredEvent:
    return SnapshotMapper().to_stored_event(ReferralSnapshot(referral_id, version, position, state))


def test_a_snapshot_that_checks_out_is_what_the_load_uses(
    api: Api, clock: FixedClock, runtime: Runtime
) -> None:
    """The control for the next test: the misleading snapshot, stored as it should be, is
    believed (so where it is not, it was ignored)."""
    ledger = runtime.ledger
    referral_id = _in_triage(api)
    state, position = _misleading(ledger, referral_id)
    _store(ledger, _encoded(referral_id, state.version, position, state))

    assert ledger.referral(referral_id).state.stage is Stage.SCREENED_OUT


@pytest.mark.parametrize(
    "fault",
    [
        "another_schema_version",
        "not_json",
        "not_the_state",
        "another_referral",
        "ahead_of_the_log",
        "another_position",
    ],
)
def test_a_stale_corrupt_or_other_version_snapshot_is_ignored(
    api: Api, clock: FixedClock, runtime: Runtime, fault: str
) -> None:
    ledger = runtime.ledger
    referral_id = _in_triage(api)
    state, position = _misleading(ledger, referral_id)
    version = state.version
    good = _encoded(referral_id, version, position, state)
    stored = {
        "another_schema_version": replace(good, topic=TOPIC_PREFIX + "0.0000000000000000"),
        "not_json": replace(good, state=b'{"position": 1, "state": {"referral'),
        "not_the_state": replace(good, state=b'{"position": 1, "state": {"stage": "triage"}}'),
        "another_referral": _encoded(
            referral_id,
            version,
            position,
            state.model_copy(update={"referral_id": UUID(int=7)}),
        ),
        "ahead_of_the_log": _encoded(
            referral_id, version + 5, position, state.model_copy(update={"version": version + 5})
        ),
        "another_position": _encoded(referral_id, version, position + 1000, state),
    }[fault]
    _store(ledger, stored)

    loaded = ledger.referral(referral_id)

    assert loaded.state == replayed(ledger, referral_id)
    assert loaded.state.stage is not Stage.SCREENED_OUT
    api.ok(referral_id, "screen-in", by="triage-1")  # commands still load and decide
    assert ledger.referral(referral_id).state.stage is Stage.AWAITING_STRATEGY_DISCUSSION


def test_a_change_to_the_state_schema_changes_the_snapshot_version() -> None:
    changed = create_model("ReferralState", __base__=ReferralState, risk_level=(int, 0))

    assert schema_version(changed) != schema_version(ReferralState)
    assert schema_version(ReferralState) == schema_version(ReferralState)
    assert TOPIC_PREFIX + schema_version(ReferralState) == SNAPSHOT_TOPIC


def test_a_case_changed_by_another_process_after_this_one_saved_it_is_changed_whole(
    settings: Settings, clock: FixedClock, api: Api, runtime: Runtime
) -> None:
    """The state a process keeps of a case it just saved is only a start: the next change
    reads the log from there, so what another process recorded meanwhile is folded in."""
    referral_id = api.received(referral_form())
    api.ok(referral_id, "security-checks", by="triage-1")  # this process keeps the case
    with TestClient(create_app(settings, clock=clock)) as other_client:
        other = Api(other_client)
        other.versions[referral_id] = api.versions[referral_id]
        request = {"information_needed": "Attendance record."}
        other.ok(referral_id, "further-information-requests", request, by="triage-1")
        api.versions[referral_id] = other.versions[referral_id]

    returned = {"information_summary": "Attendance 82%."}
    api.ok(referral_id, "further-information-returns", returned, by="desk-1")

    kept = runtime.ledger.referral(referral_id).state
    assert kept.version == 4
    assert kept == replayed(runtime.ledger, referral_id)


def test_a_refused_change_leaves_nothing_kept_that_the_next_change_could_trust(
    api: Api, runtime: Runtime
) -> None:
    """A refused step records nothing, and the state it was decided on is not kept: the next
    step is decided on the case as stored."""
    referral_id = api.received(referral_form())
    api.ok(referral_id, "security-checks", by="triage-1")
    refused = api.send(
        referral_id, "further-information-returns", {"information_summary": "x"}, by="desk-1"
    )
    assert refused.status_code in (409, 422), refused.text
    api.ok(referral_id, "screen-in", {"rationale": "Indicators in two categories."}, by="triage-1")

    kept = runtime.ledger.referral(referral_id).state
    assert kept.stage is Stage.AWAITING_STRATEGY_DISCUSSION
    assert kept == replayed(runtime.ledger, referral_id)
