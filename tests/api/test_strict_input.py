"""Input the record could not tell truthfully is refused whole, over HTTP, and nothing is
stored: misleading text, numbers and flags sent as strings, unbounded lists. What was
stored before (or raw) still reads as it was written."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import httpx2 as httpx
import pytest
from fastapi import FastAPI

from api.bootstrap import Runtime
from events.base import AuditEnvelope
from events.forms import ReferralConcern, SubjectDetails
from events.intake import ReferralReceived
from events.vocabulary import IndicatorCategory, Role
from projections.register_export import read_csv
from tests.api_client import Api
from tests.conftest import BACKENDS
from tests.sharing_support import POLICE, at_meeting, disclosure, register_agencies
from tests.support import FixedClock, find_personal_data, referral_form


@pytest.fixture(params=["sqlite"])
def backend(request: pytest.FixtureRequest) -> str:
    """Input is refused before anything reaches a store: SQLite here. What is stored and read back
    is checked on both stores below."""
    name: str = request.param
    return name


MARKED = "Larkspur{}Row"  # "Larkspur" is synthetic personal data: an echo would be found
ONE_LINE_FIELDS = (
    "referring_agency",
    "subject.full_name",
    "subject.other_names.0",
    "subject.place_of_birth",
    "subject.address.lines.1",
    "subject.address.postcode",
    "partner_and_parents.0.full_name",
    "concern.chronology.0.when",
    "referrer.full_name",
    "referrer.position",
    "referrer.contact.telephone",
)
NARRATIVE_FIELDS = ("concern.reasons_for_referral", "partner_and_parents.0.details")
# NUL, ESC, BEL, CR, LF, DEL, NEL (C1), the line separator, RLO and LRI.
NOT_IN_A_LINE = ("\x00", "\x1b", "\x07", "\r", "\n", "\x7f", "\x85", "\u2028", "\u202e", "\u2066")
NOT_IN_A_NARRATIVE = ("\x00", "\x1b", "\x07", "\x0b", "\x0c", "\x7f", "\x9b", "\u202d", "\u2069")
BLANK = ("\u200b", "\u200b\u200c\u200d", "\u2060", "\ufeff", "\u00ad", "\u3164", "\u3000 \u200b")


def form_with(path: str, value: Any) -> dict[str, Any]:
    form: dict[str, Any] = json.loads(json.dumps(referral_form()))
    *parents, last = path.split(".")
    place: Any = form
    for part in parents:
        place = place[int(part)] if isinstance(place, list) else place[part]
    if isinstance(place, list):
        place[int(last)] = value
    else:
        place[last] = value
    return form


def refused_field(response: httpx.Response) -> str:
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["type"] == "urn:vtr-ledger:problem:invalid-request"
    assert find_personal_data(response.text) == [], "the value is echoed"
    (error,) = problem["errors"]
    field: str = error["field"]
    return field


def test_control_bidi_and_blank_text_is_refused_naming_the_field_and_nothing_is_stored(
    api: Api,
) -> None:
    cases = [
        *((path, MARKED.format(c)) for path in ONE_LINE_FIELDS for c in NOT_IN_A_LINE),
        *((path, MARKED.format(c)) for path in NARRATIVE_FIELDS for c in NOT_IN_A_NARRATIVE),
        *((path, blank) for path in ONE_LINE_FIELDS + NARRATIVE_FIELDS for blank in BLANK),
    ]
    wrong = [
        (path, value)
        for path, value in cases
        if refused_field(api.receive(form_with(path, value))) != f"body.{path}"
    ]
    assert wrong == []
    response = api.client.post(
        "/agencies",
        json={"name": "Norfolk\u202eMASH", "agency_type": "police"},
        headers=api.headers("triage-1"),
    )
    assert refused_field(response) == "body.name"
    assert api.log_position() == 0


def test_an_unpaired_surrogate_is_refused_not_a_server_error(api: Api) -> None:
    body = json.dumps(form_with("subject.full_name", "Larkspur\ud800")).encode()
    response = api.client.post(
        "/referrals",
        content=body,
        headers={**api.headers("triage-1"), "Content-Type": "application/json"},
    )
    assert refused_field(response) == "body.subject.full_name"
    assert api.log_position() == 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_text_is_kept_in_nfc_with_line_feeds_and_the_marks_it_needs(api: Api) -> None:
    form = form_with("subject.full_name", "  Jose\u0301 Zaf\u200car\u200f  ")
    form["concern"]["background_and_risk"] = "Since autumn:\r\n\t- withdrawn\rfrom friends"
    referral_id = api.received(form)

    (received,) = api.history(referral_id, reveal=True)
    assert received["data"]["subject"]["full_name"] == "Jos\u00e9 Zaf\u200car\u200f"
    background = received["data"]["concern"]["background_and_risk"]
    assert background == "Since autumn:\n\t- withdrawn\nfrom friends"


def test_numbers_and_flags_must_come_as_json_numbers_and_booleans(api: Api) -> None:
    referral_id = api.received(referral_form())
    stored = api.log_position()
    for version in ("1", 1.0, True, "true"):
        response = api.client.post(
            f"/referrals/{referral_id}/security-checks",
            json={"expected_version": version},
            headers=api.headers("triage-1"),
        )
        assert refused_field(response) == "body.expected_version"
    disclosure: dict[str, Any] = {
        "particularly_sensitive": "true",
        "principles": {"power_to_share": True, "necessary": 1},
        "need_to_know": [{"agency_id": str(uuid4()), "needs_to_know": "yes", "rationale": "r"}],
        "public_interest": {"grounds": ["detection_of_crime"], "consent_considered": 0},
    }
    cases: dict[str, tuple[dict[str, Any], list[str]]] = {
        "disputes/referral": ({"dispute_no": "1"}, ["dispute_no"]),
        "consent/approach": ({"stage": "panel", "seek": 1}, ["seek"]),
        "disposal-confirmations": (
            {"obligation_no": 1.0, "complete": "false"},
            ["obligation_no", "complete"],
        ),
        "disclosures": (
            disclosure,
            [
                "particularly_sensitive",
                "principles.necessary",
                "need_to_know.0.needs_to_know",
                "public_interest.consent_considered",
            ],
        ),
    }
    for path, (body, fields) in cases.items():
        response = api.send(referral_id, path, body, by="police-1")
        assert response.status_code == 422, path
        named = {error["field"] for error in response.json()["errors"]}
        assert {f"body.{field}" for field in fields} <= named, (path, named)
    assert api.log_position() == stored
    api.ok(referral_id, "security-checks", by="triage-1")  # the same step, typed properly


def test_every_list_is_capped_and_a_set_of_choices_names_each_once(api: Api) -> None:
    categories = [category.value for category in IndicatorCategory]
    chronology = [{"when": "2025", "what": "An entry."}]
    cases = {
        "concern.indicators_observed": ["expressed_opinions"] * 40_000,
        "subject.other_names": ["Another name"] * 21,
        "concern.chronology": chronology * 201,
        "subject.address.lines": ["A line"] * 9,
    }
    for path, value in cases.items():
        assert refused_field(api.receive(form_with(path, value))) == f"body.{path}"
    repeated = form_with("concern.indicators_observed", [categories[0], categories[0]])
    assert refused_field(api.receive(repeated)) == "body.concern.indicators_observed"
    assert api.log_position() == 0
    api.received(form_with("concern.indicators_observed", categories))

    referral_id = api.received(referral_form())
    stored = api.log_position()
    too_many = {"to_bodies": ["Probation"] * 11, "disclosure_no": 1, "official_purpose": "p"}
    response = api.send(referral_id, "disclosures/onward-sanctions", too_many, by="chair-1")
    assert refused_field(response) == "body.to_bodies"
    response = api.send(
        referral_id, "screen-out", {"reasons": ["malicious", "malicious"]}, by="triage-1"
    )
    assert refused_field(response) == "body.reasons"
    assert api.log_position() == stored


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_stored_referral_holding_such_text_still_reads_and_the_case_goes_on(
    api: Api, app: FastAPI
) -> None:
    """Records written before these rules, or raw, are read as they were written: the rules
    are for what comes in, never for what is already on record."""
    runtime: Runtime = app.state.runtime
    referral_id = uuid4()
    odd_name = "Larkspur\x00\u202eRow\x1b"
    audit = AuditEnvelope(
        actor_id="triage-1",
        actor_role=Role.MASH_TRIAGE,
        actor_agency="Norfolk MASH",
        occurred_at=datetime(2026, 3, 2, 9, tzinfo=UTC),
        command_id=uuid4(),
    )
    header = {"originator_id": referral_id, "originator_version": 1, "audit": audit}
    clean = ReferralReceived.model_validate(
        {**header, "on_call_detective_inspector": None, **referral_form()}
    )
    assert isinstance(clean.subject, SubjectDetails)
    assert isinstance(clean.concern, ReferralConcern)
    # Written raw: model_copy validates nothing, like a record from before the input rules.
    subject = {"full_name": odd_name, "other_names": ["\u200b"]}
    concern = {
        "background_and_risk": "line\r\nend\x07",
        "indicators_observed": [IndicatorCategory.MATERIAL] * 2,
    }
    event = clean.model_copy(
        update={
            "subject": clean.subject.model_copy(update=subject),
            "concern": clean.concern.model_copy(update=concern),
        }
    )
    runtime.ledger.recorder.insert_events([runtime.ledger.mapper.to_stored_event(event)])
    runtime.projections.wake()

    (received,) = api.history(referral_id, reveal=True)
    assert received["data"]["subject"]["full_name"] == odd_name
    assert received["data"]["subject"]["other_names"] == ["\u200b"]
    assert received["data"]["concern"]["background_and_risk"] == "line\r\nend\x07"
    assert received["data"]["concern"]["indicators_observed"] == ["material", "material"]
    assert api.case(referral_id, after=api.log_position())["stage"] == "triage"

    api.versions[referral_id] = 1
    api.ok(referral_id, "security-checks", by="triage-1")  # the aggregate replays it
    assert [entry["event"] for entry in api.history(referral_id)][-1] == "SecurityChecksRecorded"


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_register_csv_neutralises_fullwidth_and_invisible_starts(
    api: Api, clock: FixedClock
) -> None:
    agencies = register_agencies(api)
    name = '\uff1dHYPERLINK("http://evil.example/","Open") Academy'  # a fullwidth =
    created = api.client.post(
        "/agencies",
        json={"name": name, "agency_type": "education"},
        headers=api.headers("triage-1"),
    )
    assert created.status_code == 201, created.text
    hostile = UUID(created.json()["agency_id"])
    referral_id = at_meeting(api, clock, agencies)
    api.ok(referral_id, "strategy-meeting/invitations", {"agency_id": str(hostile)}, by="chair-1")
    advice = "\u200f@SUM(A1:A9) in the locked cabinet"  # a right-to-left mark hides the @
    body = disclosure(
        agencies[POLICE], [hostile], context="strategy_meeting", handling_advice=advice
    )
    position = api.ok(referral_id, "disclosures", body, by="police-1")["position"]

    response = api.client.get(
        f"/agencies/{agencies[POLICE]}/disclosure-register",
        params={"format": "csv", "after_position": position},
        headers=api.headers("hos-1"),
    )
    assert response.status_code == 200, response.text
    text = response.content.decode("utf-8").removeprefix("\ufeff")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert f"'{name}" in cells
    assert f"'{advice}" in cells
    (row,) = read_csv(response.content.decode("utf-8"))
    assert (row["recipient_agency"], row["handling_advice"]) == (name, advice)
