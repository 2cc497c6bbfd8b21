"""The case view is a contract: what clients receive changes only on purpose.

The JSON schema of the case view and the response for the demo's supported case are kept in
this folder; a refactor that changes either fails here, with the way to record the change
deliberately.
"""

from __future__ import annotations

import ast
from pathlib import Path

import jsonschema_rs

from aggregates.agency import agency_id_for
from api.settings import Settings
from projections.case_view import SCHEMA_VERSION, CaseSummary
from tests.contracts.recording import (
    DEMO_FILE,
    SCHEMA_FILE,
    case_view_schema,
    changed,
    demo_case_responses,
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
