"""A synthetic year through the real ledger: the registers equal a computation from the raw log.

The expected rows are computed here from the stored events themselves (the JSON the
recorder holds, read with SQL), not with the projection's row function, so a mistake in
the projection, its filters, its paging or its as-of fold shows as a difference.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import psycopg
import pytest
from fastapi.testclient import TestClient
from psycopg.sql import SQL, Identifier

from api.http.app import create_app
from api.settings import Settings
from events.statements import SQLITE, sqlite_text
from scenarios.synthetic import Year, generate_year
from tests.api_client import Api
from tests.conftest import BACKENDS, make_settings
from tests.support import FixedClock, write_token_table

DISCLOSED = "vtr.referral.InformationDisclosed"
REFUSED = "vtr.refusal.SharingRefused"
LONDON = ZoneInfo("Europe/London")
READER = "hos-1"


@dataclass(frozen=True)
class StoredEvent:
    position: int
    originator_id: UUID
    topic: str
    state: dict[str, Any]


@dataclass(frozen=True)
class Synthetic:
    api: Api
    year: Year
    log: list[StoredEvent]
    head: int


@pytest.fixture(scope="module", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """One synthetic year per store for the whole module: its tests only read it."""
    name: str = request.param
    return name


@pytest.fixture(scope="module")
def synthetic(
    backend: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Synthetic]:
    for settings in make_settings(backend, tmp_path_factory.mktemp("synthetic"), request):
        clock = FixedClock()
        app = create_app(settings, clock=clock)
        with TestClient(app) as client:
            ledger = app.state.runtime.ledger
            year = generate_year(ledger, clock, cases=20, seed=11)
            log = list(raw_log(settings, ledger.recorder.events_table_name))
            yield Synthetic(Api(client), year, log, log[-1].position)


@pytest.fixture
def api(synthetic: Synthetic) -> Api:
    return synthetic.api


def raw_log(settings: Settings, table: str) -> Iterator[StoredEvent]:
    """Every stored event in log order, straight from the database."""
    if settings.store == "sqlite":
        with sqlite3.connect(settings.data_dir / "events.sqlite") as conn:
            query = sqlite_text(
                SQLITE.statement(
                    "SELECT rowid, originator_id, topic, state FROM {table} ORDER BY rowid",
                    table=table,
                )
            )
            for position, originator, topic, state in conn.execute(query):
                yield StoredEvent(position, UUID(str(originator)), topic, json.loads(state))
        return
    with psycopg.connect(**settings.postgres_connection(settings.pg_database)) as conn:  # type: ignore[arg-type]
        in_order = SQL(
            "SELECT notification_id, originator_id, topic, state FROM {0} ORDER BY notification_id"
        ).format(Identifier(table))
        for position, originator, topic, state in conn.execute(in_order):
            yield StoredEvent(position, UUID(str(originator)), topic, json.loads(bytes(state)))


def expected_register(
    log: list[StoredEvent],
    agency_id: UUID,
    *,
    as_of: datetime | None = None,
    period: tuple[date, date] | None = None,
    referral_id: UUID | None = None,
    counterpart: UUID | None = None,
) -> list[dict[str, Any]]:
    """The agency's register, worked out from the stored JSON alone."""
    agency = str(agency_id)
    rows = []
    for event in log:
        state = event.state
        if event.topic != DISCLOSED or (as_of and moment(state["audit"]["occurred_at"]) > as_of):
            continue
        if referral_id is not None and event.originator_id != referral_id:
            continue
        disclosed_on = moment(state["disclosed_at"]).astimezone(LONDON).date()
        if period is not None and not period[0] <= disclosed_on <= period[1]:
            continue
        discloser = state["disclosing_agency"]
        for number, recipient in enumerate(state["recipients"], start=1):
            if agency not in (discloser["agency_id"], recipient["agency_id"]):
                continue
            disclosed = discloser["agency_id"] == agency
            other = recipient if disclosed else discloser
            if counterpart is not None and other["agency_id"] != str(counterpart):
                continue
            rows.append(
                {
                    "position": event.position,
                    "recipient_no": number,
                    "referral_id": event.originator_id,
                    "direction": "disclosed" if disclosed else "received",
                    "counterpart": other["agency_id"],
                    "from": discloser["agency_id"],
                    "to": recipient["agency_id"],
                    "disclosed_at": moment(state["disclosed_at"]),
                    "category": state["information_category"],
                    "bases": [
                        (b["entry_id"], b["catalogue_version"], b["citation"])
                        for b in state["legal_bases"]
                    ],
                    "consent_status": state["consent_status"],
                    "sensitive": state["particularly_sensitive"],
                    "advice": state["handling_advice"],
                    "decided_by": state["audit"]["actor_id"],
                }
            )
    return rows


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def api_register(api: Api, agency_id: UUID, **params: Any) -> list[dict[str, Any]]:
    """The register as the API serves it, in the shape `expected_register` computes."""
    response = api.client.get(
        f"/agencies/{agency_id}/disclosure-register", params=params, headers=api.headers(READER)
    )
    assert response.status_code == 200, response.text
    return [
        {
            "position": row["position"],
            "recipient_no": row["recipient_no"],
            "referral_id": UUID(row["referral_id"]),
            "direction": row["direction"],
            "counterpart": row["counterpart"]["agency_id"],
            "from": row["disclosing_agency"]["agency_id"],
            "to": row["recipient_agency"]["agency_id"],
            "disclosed_at": moment(row["disclosed_at"]),
            "category": row["information_category"],
            "bases": [
                (b["entry_id"], b["catalogue_version"], b["citation"]) for b in row["legal_bases"]
            ],
            "consent_status": row["consent_status"],
            "sensitive": row["particularly_sensitive"],
            "advice": row["handling_advice"],
            "decided_by": row["decided_by"],
        }
        for row in response.json()["rows"]
    ]


def test_every_agency_register_equals_the_raw_log(api: Api, synthetic: Synthetic) -> None:
    year, log = synthetic.year, synthetic.log
    disclosures = [event for event in log if event.topic == DISCLOSED]
    assert len(disclosures) == year.disclosures >= 50, "the year should be busy"
    assert len({event.state["disclosing_agency"]["name"] for event in disclosures}) >= 5

    total = 0
    for name, agency_id in year.agencies.items():
        served = api_register(api, agency_id, after_position=synthetic.head)
        assert served == expected_register(log, agency_id), name
        total += len(served)
    # Each row appears twice: once in the discloser's register, once in the recipient's.
    recipients = sum(len(event.state["recipients"]) for event in disclosures)
    assert total == 2 * recipients


def test_filters_by_period_case_and_counterpart_equal_the_raw_log(
    api: Api, synthetic: Synthetic
) -> None:
    year, log = synthetic.year, synthetic.log
    police = year.agencies["Norfolk Constabulary"]
    school = year.agencies["Riverside Academy"]
    case = next(
        event.originator_id
        for event in log
        if event.topic == DISCLOSED and event.state["context"] == "strategy_meeting"
    )
    spring = (date(2025, 3, 1), date(2025, 6, 30))  # British Summer Time starts inside it
    api_register(api, police, after_position=synthetic.head)

    checks: list[tuple[dict[str, Any], dict[str, Any]]] = [
        ({"from": "2025-03-01", "to": "2025-06-30"}, {"period": spring}),
        ({"referral_id": str(case)}, {"referral_id": case}),
        ({"counterpart_agency_id": str(school)}, {"counterpart": school}),
        (
            {"from": "2025-03-01", "to": "2025-06-30", "counterpart_agency_id": str(school)},
            {"period": spring, "counterpart": school},
        ),
    ]
    for params, narrowing in checks:
        expected = expected_register(log, police, **narrowing)
        assert expected, f"the synthetic year should have rows for {params}"
        assert api_register(api, police, **params) == expected, params
    everything = api_register(api, police)
    assert len(everything) > len(api_register(api, police, **checks[0][0]))


def test_the_register_as_of_a_past_moment_holds_only_what_was_recorded_by_then(
    api: Api, synthetic: Synthetic
) -> None:
    year, log = synthetic.year, synthetic.log
    as_of = datetime(2025, 6, 15, 12, 0, tzinfo=LONDON)
    for name in ("Norfolk Constabulary", "Norfolk Children's Services", "Hope Mentoring Trust"):
        agency_id = year.agencies[name]
        past = api_register(api, agency_id, as_of=as_of.isoformat())
        expected = expected_register(log, agency_id, as_of=as_of)
        assert past == expected, name
        now = api_register(api, agency_id, after_position=synthetic.head)
        assert 0 < len(past) < len(now), f"{name}: the year goes on after {as_of}"
        assert past == now[: len(past)], "the past is a prefix of the present, in log order"

    police = year.agencies["Norfolk Constabulary"]
    spring = {"from": "2025-03-01", "to": "2025-06-30"}
    narrowed = api_register(api, police, as_of=as_of.isoformat(), **spring)
    spring_days = (date(2025, 3, 1), date(2025, 6, 30))
    assert narrowed == expected_register(log, police, as_of=as_of, period=spring_days)


def test_refused_attempts_are_in_the_log_and_in_each_case_sharing_record(
    api: Api, synthetic: Synthetic
) -> None:
    year, log = synthetic.year, synthetic.log
    refusals = [event for event in log if event.topic == REFUSED]
    assert len(refusals) == year.refused > 0
    served = 0
    for referral_id in year.referrals:
        response = api.client.get(
            f"/referrals/{referral_id}/sharing",
            params={"after_position": synthetic.head},
            headers=api.headers(READER),
        )
        assert response.status_code == 200, response.text
        entries = response.json()["entries"]
        refused = [entry for entry in entries if entry["event"] == "SharingRefused"]
        expected = [e for e in refusals if e.state["referral_id"] == str(referral_id)]
        assert [r["data"]["rule"] for r in refused] == [e.state["rule"] for e in expected]
        assert [r["position"] for r in refused] == [e.position for e in expected]
        served += len(refused)
    assert served == len(refusals)


def test_records_of_processing_count_what_the_log_shows(api: Api, synthetic: Synthetic) -> None:
    log = synthetic.log
    api_register(
        api, synthetic.year.agencies["Norfolk Constabulary"], after_position=synthetic.head
    )
    response = api.client.get(
        "/records-of-processing",
        params={"from": "2025-04-01", "to": "2025-09-30"},
        headers=api.headers(READER),
    )
    assert response.status_code == 200, response.text
    record = response.json()

    in_period = [
        event.state
        for event in log
        if event.topic == DISCLOSED
        and date(2025, 4, 1)
        <= moment(event.state["disclosed_at"]).astimezone(LONDON).date()
        <= date(2025, 9, 30)
    ]
    assert record["disclosures"] == len(in_period) > 0
    assert record["disclosures_relying_on_consent"] == sum(
        s["relies_on_consent"] for s in in_period
    )
    categories = Counter(state["information_category"] for state in in_period)
    assert {c["category"]: c["disclosures"] for c in record["categories_of_personal_data"]} == (
        dict(categories)
    )
    bases = Counter(b["entry_id"] for state in in_period for b in state["legal_bases"])
    assert {b["basis"]["entry_id"]: b["disclosures"] for b in record["legal_bases"]} == dict(bases)
    recipient_names = {r["name"] for state in in_period for r in state["recipients"]}
    assert {name for r in record["recipients"] for name in r["agencies"]} == recipient_names


def test_the_same_seed_gives_the_same_year(tmp_path: Path) -> None:
    def year_shape(folder: str, seed: int) -> list[tuple[object, ...]]:
        tokens = tmp_path / folder / "tokens.json"
        tokens.parent.mkdir()
        write_token_table(tokens)
        settings = Settings(store="sqlite", data_dir=tmp_path / folder / "data", tokens_file=tokens)
        clock = FixedClock()
        app = create_app(settings, clock=clock)
        with TestClient(app):
            ledger = app.state.runtime.ledger
            generate_year(ledger, clock, cases=6, seed=seed)
            return [
                (e.topic, e.state["audit"]["occurred_at"], e.state.get("information_category"))
                for e in raw_log(settings, ledger.recorder.events_table_name)
            ]

    first, again, other = year_shape("a", 3), year_shape("b", 3), year_shape("c", 4)
    assert first == again
    assert first != other
