"""The worklist and the timeliness report over a synthetic year, then a winter and spring of
exits, feedback, section 8 and post-exit reviews across Christmas 2026: both equal an
independent computation from the raw log (`tests/deadline_oracle.py`), whatever deadline
events the log holds."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from aggregates.agency import agency_id_for
from aggregates.calendar import uk_date
from aggregates.process_clock import DeadlineKind
from aggregates.referral_state import Stage
from api.http.app import create_app
from api.http.views import process_clock
from commands.application import ReferralLedger
from commands.context import Actor
from events.meetings import MEETING_EVENTS
from events.vocabulary import Role
from projections.deadlines import TOPICS
from projections.register_export import read_csv
from scenarios import builder, steps
from scenarios.builder import Cast, Scenario
from scenarios.drivers import LedgerDriver
from scenarios.step import Part
from scenarios.synthetic import SYNTHETIC_CAST, Year, generate_year
from tests.api_client import Api
from tests.conftest import BACKENDS, make_settings
from tests.deadline_oracle import RULES, Due, expected_deadlines
from tests.integration.test_synthetic_registers import raw_log
from tests.support import FixedClock

READER = "hos-1"  # the head of safeguarding sees every agency's worklist
TODAY = datetime(2027, 7, 1, 9, tzinfo=UTC)
MASH = agency_id_for("Norfolk MASH")
CAST = Cast(
    parts={
        **SYNTHETIC_CAST.parts,
        Part.COMPLIANCE: Actor.for_agency("syn-dpo", Role.COMPLIANCE_OFFICER, "Norfolk Council"),
    },
    agencies=SYNTHETIC_CAST.agencies,
)


@dataclass(frozen=True)
class World:
    api: Api
    year: Year
    expected: list[Due]
    topics: set[str]


@pytest.fixture(scope="module", params=BACKENDS)
def world(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[World]:
    """One year per store: the log is read through each store's own topic filter."""
    (settings,) = make_settings(request.param, tmp_path_factory.mktemp("worklist"), request)
    clock = FixedClock()
    app = create_app(settings, clock=clock)
    with TestClient(app) as client:
        ledger = app.state.runtime.ledger
        year = generate_year(ledger, clock, cases=16)
        after_the_year(Scenario(LedgerDriver(ledger), CAST, clock), ledger, year)
        clock.moment = TODAY
        log = list(raw_log(settings, ledger.recorder.events_table_name))
        expected = expected_deadlines((e.originator_id, e.topic, e.state) for e in log)
        yield World(Api(client), year, expected, {event.topic for event in log})


def after_the_year(scenario: Scenario, ledger: ReferralLedger, year: Year) -> None:
    """Some referrers told of the decision (on time or late, recorded in the new year);
    three exits on Christmas Eve 2026, two with their recipients' section 8 obligations, one
    of those under a legal hold; feedback at the exits after Christmas, on time and late;
    obligations discharged on time and late; a 6-month review in June 2027."""
    cases = {case: ledger.referral(case).state for case in year.referrals}
    decided = [case for case, state in cases.items() if state.strategy_discussion is not None]
    scenario.at(datetime(2026, 1, 5, 10, tzinfo=UTC))
    for number, case in enumerate(decided[:4]):
        discussion = cases[case].strategy_discussion
        assert discussion is not None
        told = discussion.signatures[-1].signed_at + timedelta(days=2 + 10 * number)
        scenario.take(steps.referrer_notified("strategy_discussion").but(notified_at=told), case)
    exits = [case for case, state in cases.items() if state.stage is Stage.EXIT_AGREED][:3]
    assert len(exits) == 3, "the synthetic year agrees some exits"
    scenario.at(datetime(2026, 12, 24, 10, tzinfo=UTC))
    for case in exits:
        scenario.take(steps.process_concluded(), case)
    for case in exits[:2]:
        for agency in {r.agency_id for d in cases[case].disclosures for r in d.recipients}:
            scenario.take(steps.involvement_ended(str(agency)), case)
    scenario.take(steps.legal_hold_placed(), exits[1])
    on_time, late = exits[0], exits[1]
    scenario.at(datetime(2027, 1, 5, 15, tzinfo=UTC))  # the fifth working day after the 24th
    scenario.take(steps.referrer_notified("conclusion"), on_time)
    scenario.at(datetime(2027, 1, 6, 15, tzinfo=UTC))
    scenario.take(steps.referrer_notified("conclusion"), late)
    obligations = ledger.referral(on_time).state.obligations
    for number, obligation in enumerate(obligations[:2]):
        scenario.at(
            datetime.combine(obligation.due_on, datetime.min.time(), UTC)
            + timedelta(days=number, hours=12)
        )
        scenario.take(
            steps.disposal_confirmed(obligation.agency.name, obligation.obligation_no), on_time
        )
    scenario.at(datetime(2027, 6, 24, 10, tzinfo=UTC))
    scenario.take(steps.post_exit_reviewed("six_months"), on_time)


def served_worklist(api: Api, by: str = READER, **params: Any) -> list[dict[str, Any]]:
    response = api.client.get("/worklist", params=params, headers=api.headers(by))
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def shape(item: dict[str, Any]) -> tuple[object, ...]:
    """What the oracle and the API both say of a deadline on the worklist."""
    return (
        item["referral_id"],
        item["code"],
        item["agency_id"],
        item["role"],
        item["anchor_on"],
        item["due_on"],
        item["status"],
    )


def expected_worklist(
    world: World, agency_id: UUID | None = None, role: str | None = None
) -> Counter[tuple[object, ...]]:
    today = uk_date(TODAY)
    return Counter(
        (
            str(d.referral_id),
            d.code,
            d.agency_id,
            d.role,
            d.anchor_on.isoformat(),
            d.due_on.isoformat(),
            d.status(today),
        )
        for d in world.expected
        if d.status(today) in {"open", "overdue"}
        and (agency_id is None or d.agency_id == str(agency_id))
        and (role is None or d.role == role)
    )


def test_the_oracle_knows_every_topic_the_clock_folds() -> None:
    """A kind of deadline added to the clock must be added to the independent check too."""
    assert set(RULES) == set(TOPICS)


def test_the_log_holds_every_kind_of_deadline_of_today(world: World) -> None:
    kinds = {due.code for due in world.expected}
    statuses = {due.status(uk_date(TODAY)) for due in world.expected}
    assert kinds >= {
        "referrer-feedback-after-decision",
        "referrer-feedback-at-conclusion",
        "review-held",
        "post-exit-review-6-months",
        "post-exit-review-12-months",
        "section-8-deletion-or-return",
    }
    assert statuses == {"met", "late", "open", "overdue", "suspended"}
    if {
        event.TOPIC for event in MEETING_EVENTS
    } & world.topics:  # once the synthetic year holds meetings, so must the check
        assert {"action-points-circulated", "minutes-circulated", "action-done"} <= kinds


def test_every_agency_and_role_worklist_equals_the_raw_log(world: World) -> None:
    agencies = [*world.year.agencies.values(), MASH]
    for agency_id in agencies:
        served = served_worklist(world.api, agency_id=str(agency_id))
        assert Counter(map(shape, served)) == expected_worklist(world, agency_id), agency_id
        assert [item["due_on"] for item in served] == sorted(item["due_on"] for item in served)
        assert all(item["rule"] for item in served)
    for role in ("mash_triage", "meeting_chair"):
        served = served_worklist(world.api, role=role)
        assert Counter(map(shape, served)) == expected_worklist(world, role=role), role
    everything = served_worklist(world.api)
    assert Counter(map(shape, everything)) == expected_worklist(world)
    assert len(everything) > 20, "the worklist should be busy"


def test_timeliness_equals_the_raw_log(world: World) -> None:
    period = {"from": "2025-01-01", "to": "2027-12-31"}
    response = world.api.client.get("/timeliness", params=period, headers=world.api.headers(READER))
    assert response.status_code == 200, response.text
    served = {
        (agency["agency_id"], kind["code"]): {s: kind[s] for s in STATUSES}
        for agency in response.json()["agencies"]
        for kind in agency["kinds"]
    }
    assert served == expected_timeliness(world, date(2025, 1, 1), date(2027, 12, 31))
    spring = {"from": "2027-01-01", "to": "2027-06-30", "format": "csv"}
    exported = world.api.client.get("/timeliness", params=spring, headers=world.api.headers(READER))
    assert exported.status_code == 200
    assert exported.text.lstrip("\ufeff").startswith('"# OFFICIAL-SENSITIVE')
    rows = {
        (row["agency_id"], row["code"]): {s: int(row[s]) for s in STATUSES}
        for row in read_csv(exported.text)
    }
    assert rows == expected_timeliness(world, date(2027, 1, 1), date(2027, 6, 30))


STATUSES = ("met", "late", "open", "overdue", "suspended")


def expected_timeliness(
    world: World, start: date, end: date
) -> dict[tuple[str, str], dict[str, int]]:
    today = uk_date(TODAY)
    tally: dict[tuple[str, str], dict[str, int]] = {}
    for due in world.expected:
        if start <= due.due_on <= end:
            counts = tally.setdefault((due.agency_id or "", due.code), dict.fromkeys(STATUSES, 0))
            counts[due.status(today)] += 1
    return tally


def test_section_8_deadlines_agree_with_the_obligations_view(world: World) -> None:
    api = world.api
    response = api.client.get("/disposal-obligations", headers=api.headers(READER))
    assert response.status_code == 200
    view = {
        (row["referral_id"], row["obligation_no"]): (row["due_on"], row["status"])
        for row in response.json()["obligations"]
    }
    assert view, "the winter raises obligations"
    clock_items = {
        (item["referral_id"], int(item["about"].split()[-1])): (item["due_on"], item["status"])
        for item in served_worklist(api)
        if item["code"] == "section-8-deletion-or-return"
    }
    undischarged = {key: value for key, value in view.items() if value[1] in {"open", "overdue"}}
    assert clock_items == undischarged
    suspended = {key for key, value in view.items() if value[1] == "suspended"}
    assert suspended, "a hold suspends some"
    assert not suspended & clock_items.keys()


def test_agency_staff_see_their_own_agency_only(world: World) -> None:
    """The mentors' practitioner reads the mentors' worklist; asking for another agency's,
    or for a role across every agency, is refused."""
    api = world.api
    mentors = world.year.agencies["Hope Mentoring Trust"]
    own = served_worklist(api, "mentor-1", agency_id=str(mentors))
    assert {item["agency_id"] for item in own} <= {str(mentors)}
    assert Counter(map(shape, own)) == expected_worklist(world, mentors)
    police = world.year.agencies["Norfolk Constabulary"]
    for params in ({"agency_id": str(police)}, {"role": "mash_triage"}):
        refused = api.client.get("/worklist", params=params, headers=api.headers("mentor-1"))
        assert (refused.status_code, refused.json()["rule"]) == (403, "own-agency-only")


def test_the_local_targets_come_from_the_settings(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Feedback within 2 working days and minutes within 3, as configured: a decision signed
    on Christmas Eve 2026 puts feedback due on Wednesday 30 December."""
    (settings,) = make_settings(
        "sqlite", tmp_path, request, minutes_working_days=3, referrer_feedback_working_days=2
    )
    clock = FixedClock(datetime(2026, 12, 21, 9, tzinfo=UTC))
    with TestClient(create_app(settings, clock=clock)) as client:
        api = Api(client)
        case = api.scenario().case()
        case.along(builder.to_screened_in())
        case.at(datetime(2026, 12, 24, 9, tzinfo=UTC)).along(builder.to_signed())
        (item,) = served_worklist(api, role="mash_triage")
        assert (item["anchor_on"], item["due_on"]) == ("2026-12-24", "2026-12-30")
        assert "within 2 working days" in item["rule"]
        minutes = process_clock(client.app.state.runtime).rule(DeadlineKind.MINUTES_CIRCULATED)  # type: ignore[attr-defined]
        assert "within 3 working days" in minutes
