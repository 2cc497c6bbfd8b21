"""What each agency held at a moment equals, on the synthetic year, an independent count from
the raw event table: the disclosures it had received by then, less the ones whose disposal
it had confirmed in full by then (plain SQL and JSON, none of the service's code)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import psycopg
import pytest
from fastapi.testclient import TestClient
from psycopg.sql import SQL, Identifier

from api.bootstrap import Runtime, open_runtime
from api.settings import Settings
from projections.holdings import holdings_as_of
from scenarios.synthetic import generate_year
from tests.api_client import Api
from tests.faults.test_projection_workers import section_8
from tests.section8_support import case_with_disclosures
from tests.sharing_support import CHILDRENS, SCHOOL, register_agencies
from tests.support import FixedClock

Raw = tuple[str, str, dict[str, Any]]  # referral id, topic, stored state


@pytest.fixture
def runtime(settings: Settings) -> Iterator[Runtime]:
    opened = open_runtime(settings, clock=FixedClock())
    try:
        yield opened
    finally:
        opened.close()


def raw_log(settings: Settings) -> list[Raw]:
    if settings.store == "sqlite":
        with sqlite3.connect(settings.data_dir / "events.sqlite") as lite:
            rows = lite.execute(
                "SELECT originator_id, topic, state FROM stored_events ORDER BY rowid"
            ).fetchall()
        lite.close()
    else:
        statement = SQL("SELECT originator_id, topic, state FROM {0} ORDER BY notification_id")
        with psycopg.connect(**settings.postgres_connection(settings.pg_database)) as conn:  # type: ignore[arg-type]
            rows = conn.execute(statement.format(Identifier("vtr_events"))).fetchall()
    return [(str(UUID(str(o))), str(t), json.loads(bytes(s))) for o, t, s in rows]


def counted(log: list[Raw], agency: str, moment: datetime) -> set[tuple[str, int]]:
    """(referral, disclosure number) the agency held at `moment`, from the raw states."""
    received: set[tuple[str, int]] = set()
    owed: dict[tuple[str, int], tuple[str, int]] = {}
    for referral, topic, state in log:
        if datetime.fromisoformat(state["audit"]["occurred_at"]) > moment:
            continue
        if topic.endswith(".InformationDisclosed"):
            if agency in {r["agency_id"] for r in state["recipients"]}:
                received.add((referral, state["disclosure_no"]))
        elif topic.endswith(".DisposalObligationRaised") and state["agency"]["agency_id"] == agency:
            owed[(referral, state["obligation_no"])] = (referral, state["disclosure_no"])
        elif topic.endswith(".DisposalConfirmed") and state["complete"]:
            received.discard(owed.get((referral, state["obligation_no"]), ("", 0)))
    return received


def test_holdings_at_every_month_of_the_synthetic_year(
    runtime: Runtime, settings: Settings
) -> None:
    clock = runtime.ledger.clock
    assert isinstance(clock, FixedClock)
    year = generate_year(runtime.ledger, clock, cases=8, seed=11)
    section_8(runtime.ledger, clock, year)
    log = raw_log(settings)
    moments = sorted({datetime.fromisoformat(s["audit"]["occurred_at"]) for _, _, s in log})
    sampled = [*moments[:: max(1, len(moments) // 12)], moments[-1]]
    checked = 0
    for agency in year.agencies.values():
        for moment in sampled:
            held = holdings_as_of(runtime.ledger.recorder, agency, moment)
            found = {(str(h.referral_id), h.disclosure_no) for h in held}
            assert found == counted(log, str(agency), moment), (agency, moment)
            checked += len(found)
    assert checked > 0, "the year gives agencies something to hold"
    disposed = [s for _, t, s in log if t.endswith(".DisposalConfirmed") and s["complete"]]
    assert disposed, "and something to dispose of"


def test_holdings_over_http_are_scoped_and_exported(app: Any, clock: FixedClock) -> None:
    with TestClient(app) as client:
        api = Api(client)
        agencies = register_agencies(api)
        referral_id = case_with_disclosures(
            api, clock, agencies, "2026-03-05", [[SCHOOL], [CHILDRENS]]
        )
        school = f"/agencies/{agencies[SCHOOL]}/holdings"
        answer = client.get(school, headers=api.headers("school-1"))
        assert answer.status_code == 200, answer.text
        (held,) = answer.json()["holdings"]
        assert (held["referral_id"], held["disclosure_no"]) == (str(referral_id), 1)
        before = datetime(2026, 3, 1, tzinfo=UTC)
        earlier = client.get(
            school, params={"as_of": before.isoformat()}, headers=api.headers("school-1")
        )
        assert earlier.json()["holdings"] == []
        other = f"/agencies/{agencies[CHILDRENS]}/holdings"
        assert client.get(other, headers=api.headers("school-1")).status_code == 403
        future = clock.now() + timedelta(days=1)
        late = client.get(
            school, params={"as_of": future.isoformat()}, headers=api.headers("dpo-1")
        )
        assert late.status_code == 422
        exported = client.get(school, params={"format": "csv"}, headers=api.headers("dpo-1"))
        lines = exported.text.splitlines()
        assert "# OFFICIAL-SENSITIVE" in lines[0]
        assert str(referral_id) in lines[-1]
        assert UUID(lines[-1].split(",")[0]) == referral_id
