"""What the case-view contract records, and how it is recorded: the JSON schema clients are
promised, and the response for the demo's supported case, loaded with the demo's scripted
clock and fixed ids so that every run records the same bytes."""

from __future__ import annotations

import difflib
import itertools
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from fastapi.testclient import TestClient

from api.bootstrap import Runtime
from api.http.app import create_app
from api.settings import Settings
from projections.case_view import CaseView
from scenarios.demo import DEMO_START, ScriptedClock, load_demo
from tests.api_client import Api

HERE = Path(__file__).parent
SCHEMA_FILE = HERE / "case_view.schema.json"
DEMO_FILE = HERE / "case_view_demo.json"
REGENERATE = "python -m tests.contracts.regenerate"


def demo_ids() -> Callable[[], UUID]:
    """Ids for the demo's referrals (and refused attempts), the same on every run."""
    numbers = itertools.count(1)
    return lambda: uuid5(NAMESPACE_URL, f"urn:vtr-ledger:demo:{next(numbers)}")


def case_view_schema() -> dict[str, Any]:
    """The JSON schema of the case view as clients receive it."""
    return CaseView.model_json_schema(mode="serialization")


@contextmanager
def demo_service(settings: Settings) -> Iterator[tuple[TestClient, Api, UUID]]:
    """The service over a fresh store holding the demo; yields its supported case's id."""
    clock = ScriptedClock(DEMO_START)
    app = create_app(settings, clock=clock, new_id=demo_ids())
    with TestClient(app) as client:
        runtime: Runtime = client.app.state.runtime  # type: ignore[attr-defined]
        supported, *_ = load_demo(runtime.ledger, clock)
        yield client, Api(client), supported


def demo_case_responses(settings: Settings, *, as_agency: str | None = None) -> DemoResponses:
    """Load the demo into a fresh store and read its supported case over HTTP."""
    with demo_service(settings) as (client, api, supported):
        case = api.case(supported, after=api.log_position())
        listed = client.get("/referrals", headers=api.headers("triage-1")).json()["items"]
        scoped = None
        if as_agency is not None:
            response = client.get(f"/referrals/{supported}", headers=api.headers(as_agency))
            assert response.status_code == 200, response.text
            scoped = response.json()["case"]
    row = next(item for item in listed if item["referral_id"] == str(supported))
    return DemoResponses(case=case, list_row=row, scoped=scoped)


@dataclass(frozen=True)
class DemoResponses:
    case: dict[str, Any]  # `GET /referrals/{id}`'s `case`, as the MASH triage sees it
    list_row: dict[str, Any]  # the case's row in `GET /referrals`
    scoped: dict[str, Any] | None  # the `case` as an agency practitioner sees it


def as_text(document: object) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def recorded(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def changed(what: str, path: Path, now: object) -> str:
    """Why the contract test failed, what changed, and how to accept it on purpose."""
    diff = difflib.unified_diff(
        path.read_text(encoding="utf-8").splitlines(),
        as_text(now).splitlines(),
        f"{path.name} (recorded)",
        f"{path.name} (now)",
        lineterm="",
        n=2,
    )
    shown = list(itertools.islice(diff, 80))
    return (
        f"{what} is not what clients were promised in tests/contracts/{path.name}.\n"
        "If the change is deliberate: raise SCHEMA_VERSION in projections/case_view.py when "
        "the shape or the meaning of a field changes, describe the change in docs/api.md, "
        f"then record the contract again with `{REGENERATE}`.\n" + "\n".join(shown)
    )
