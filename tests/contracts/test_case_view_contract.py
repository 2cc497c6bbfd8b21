"""The case view is a contract: what clients receive changes only on purpose.

The JSON schema of the case view and the response for the demo's supported case are kept in
this folder; a refactor that changes either fails here, with the way to record the change
deliberately.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest

from aggregates.agency import agency_id_for
from api.bootstrap import Runtime
from api.settings import Settings
from projections.case_view import SCHEMA_VERSION, CaseSummary
from tests.conftest import make_settings
from tests.contracts.recording import (
    DEMO_FILE,
    SCHEMA_FILE,
    case_view_schema,
    changed,
    demo_case_responses,
    demo_service,
    recorded,
)

MENTORS = "Hope Mentoring Trust"  # invited to the demo's meeting; received one disclosure
ROOT = Path(__file__).resolve().parents[2]
WRITE_SIDE_STATE = {"aggregates.referral_state", "aggregates.referral_evolution"}
# The gate decides who may see a case from the referral's own events, never from a view
# that may run behind: it alone reads the aggregate's state.
GATE = ROOT / "api" / "access" / "gate.py"


def test_the_case_view_schema_is_the_recorded_one() -> None:
    now = case_view_schema()
    assert now == recorded(SCHEMA_FILE), changed("The case view's JSON schema", SCHEMA_FILE, now)
    assert now["properties"]["schema_version"]["const"] == SCHEMA_VERSION


def test_the_demo_case_reads_as_recorded(settings: Settings) -> None:
    demo = demo_case_responses(settings, as_agency="mentor-1")

    assert demo.case == recorded(DEMO_FILE), changed("The demo case's view", DEMO_FILE, demo.case)
    validator = jsonschema_rs.validator_for(recorded(SCHEMA_FILE), validate_formats=True)
    assert validator.is_valid(demo.case), [str(e) for e in validator.iter_errors(demo.case)]
    # The case list keeps its columns: a case's row is the summary part of its view.
    assert demo.list_row == {field: demo.case[field] for field in CaseSummary.model_fields}


def test_an_agency_sees_only_its_own_part_of_the_demo_case(settings: Settings) -> None:
    """Section 3, need to know: an agency practitioner sees only the disclosures their agency
    made or received, and only their agency's own disposal obligations."""
    demo = demo_case_responses(settings, as_agency="mentor-1")
    mentors = str(agency_id_for(MENTORS))
    case, scoped = demo.case, demo.scoped
    assert scoped is not None

    theirs = [
        d
        for d in case["disclosures"]
        if mentors
        in {d["disclosing_agency"]["agency_id"]} | {r["agency_id"] for r in d["recipients"]}
    ]
    own_obligations = [o for o in case["obligations"] if o["agency"]["agency_id"] == mentors]
    assert 0 < len(theirs) < len(case["disclosures"])
    assert 0 < len(own_obligations) <= len(case["obligations"])
    assert scoped == {**case, "disclosures": theirs, "obligations": own_obligations}


@pytest.fixture
def unprojected_settings(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Settings]:
    """A service that runs no projection worker of its own: nothing is projected until a
    test says so."""
    yield from make_settings(backend, tmp_path, request, projections="external")


def test_a_case_not_yet_projected_reads_as_it_will_once_projected(
    unprojected_settings: Settings,
) -> None:
    """Read-your-writes: a case the view has not reached is folded from its own events by
    the projection's own code, so it reads exactly as the projected view will."""
    with demo_service(unprojected_settings) as (client, api, supported):

        def read(by: str) -> dict[str, Any]:
            response = client.get(f"/referrals/{supported}", headers=api.headers(by))
            assert response.status_code == 200, response.text
            answer: dict[str, Any] = response.json()
            return answer

        before, scoped_before = read("triage-1"), read("mentor-1")
        assert before["projection"]["position"] == 0
        runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
        runtime.projections.catch_up()
        after, scoped_after = read("triage-1"), read("mentor-1")

    assert after["projection"]["caught_up"] is True
    assert before["case"] == after["case"] == recorded(DEMO_FILE)
    assert scoped_before["case"] == scoped_after["case"] != after["case"]


def test_the_aggregates_state_stays_private_to_the_write_side() -> None:
    """The read side shows its own schema: nothing in projections/ or api/ (but the gate)
    imports the aggregate's state or its fold."""
    importers = []
    for path in sorted([*(ROOT / "projections").rglob("*.py"), *(ROOT / "api").rglob("*.py")]):
        if path == GATE:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules = {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                modules = {node.module}
            else:
                continue
            importers += [f"{path.relative_to(ROOT)}: {m}" for m in modules & WRITE_SIDE_STATE]
    assert importers == []
