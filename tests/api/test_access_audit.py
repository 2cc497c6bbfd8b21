"""The access audit after a scripted day: who viewed a case and what a person viewed are
exactly the reads made, refused ones included; agency scoping, break-glass and the
compliance officer's stated purpose; protective marking on what carries case data."""

from __future__ import annotations

import csv
import sqlite3
from typing import Any
from uuid import UUID

import psycopg
import pytest
from fastapi import FastAPI

from api.access.identity import issue_token
from api.access.marking import PROTECTIVE_MARKING
from api.http.deps import ActorDep
from api.settings import Settings
from events.vocabulary import Role
from projections.register_export import read_csv
from tests.api_client import Api
from tests.conftest import BACKENDS
from tests.section8_support import case_with_disclosures, erase_case
from tests.sharing_support import MENTORS, SCHOOL, register_agencies, sign_isp
from tests.support import FixedClock, agency, referral_form


@pytest.fixture(params=["sqlite"])
def backend(request: pytest.FixtureRequest) -> str:
    """Who may read what, and the marking, do not depend on the store: SQLite here. The log's
    storage (its s.62 reports, its append-only table) is checked on both stores below."""
    name: str = request.param
    return name


def read(api: Api, by: str, path: str, **headers: str) -> int:
    response = api.client.get(path, headers={**api.headers(by), **headers})
    return response.status_code


def log(api: Api, **params: Any) -> list[dict[str, Any]]:
    response = api.client.get("/access-log", params=params, headers=api.headers("dpo-2"))
    assert response.status_code == 200, response.text
    entries: list[dict[str, Any]] = response.json()["consultations"]
    return entries


def test_who_viewed_the_case_and_what_each_person_viewed(api: Api, clock: FixedClock) -> None:
    agencies = register_agencies(api)
    assert sign_isp(api, agencies[MENTORS]).status_code == 200
    case = case_with_disclosures(api, clock, agencies, "2026-03-05", [[SCHOOL]])
    other = case_with_disclosures(api, clock, agencies, "2026-03-09", [[MENTORS]])
    x = f"/referrals/{case}"
    day = [  # (who, path, status expected)
        ("police-1", x, 200),
        ("school-1", f"{x}/history", 200),
        ("mentor-1", x, 403),  # not involved in this case
        ("school-1", f"/referrals/{other}", 403),
        ("chair-1", f"{x}/sharing", 200),
        ("referrer-1", x, 403),
        ("school-1", f"{x}/sharing", 200),
        ("police-1", f"/referrals/{other}/history", 200),
    ]
    for who, path, status in day:
        clock.advance(minutes=7)
        assert read(api, who, path) == status, (who, path)

    viewed = [(e["actor_id"], e["route"], e["outcome"]) for e in log(api, referral_id=str(case))]
    assert viewed == [
        ("police-1", "get_case", "allowed"),
        ("school-1", "get_history", "allowed"),
        ("mentor-1", "get_case", "denied"),
        ("chair-1", "sharing_record", "allowed"),
        ("referrer-1", "get_case", "denied"),
        ("school-1", "sharing_record", "allowed"),
    ]
    by_school = [
        (e["referral_id"], e["consulted"], e["outcome"]) for e in log(api, actor_id="school-1")
    ]
    assert by_school == [
        (str(case), "history", "allowed"),
        (str(other), "case", "denied"),
        (str(case), "sharing record", "allowed"),
    ]
    entry = log(api, actor_id="mentor-1")[0]
    assert (entry["role"], entry["agency"], entry["reason"]) == (
        "partner_agency",
        MENTORS,
        "no-access-to-case",
    )
    assert entry["request_id"]


def test_an_agency_practitioner_sees_only_its_agency_part_of_a_case(
    api: Api, clock: FixedClock
) -> None:
    agencies = register_agencies(api)
    assert sign_isp(api, agencies[MENTORS]).status_code == 200
    case = case_with_disclosures(api, clock, agencies, "2026-03-05", [[SCHOOL], [MENTORS]])
    headers = api.headers("school-1")
    history = api.client.get(f"/referrals/{case}/history", headers=headers).json()["events"]
    disclosed = [e for e in history if e["event"] == "InformationDisclosed"]
    assert [e["data"]["disclosure_no"] for e in disclosed] == [1]
    assert "ReferralReceived" not in {e["event"] for e in history}
    caught_up = {"after_position": api.log_position()}  # read after the disclosures
    view = api.client.get(f"/referrals/{case}", params=caught_up, headers=headers).json()["case"]
    assert [d["disclosure_no"] for d in view["disclosures"]] == [1]
    full = api.client.get(
        f"/referrals/{case}", params=caught_up, headers=api.headers("triage-1")
    ).json()["case"]
    assert [d["disclosure_no"] for d in full["disclosures"]] == [1, 2]


def test_break_glass_is_allowed_to_named_roles_with_a_reason_and_flagged(
    api: Api, clock: FixedClock
) -> None:
    agencies = register_agencies(api)
    case = case_with_disclosures(api, clock, agencies, "2026-03-05", [[SCHOOL]])
    assert read(api, "mentor-1", f"/referrals/{case}") == 403
    urgent = {"Break-Glass": "Child missing tonight; mentor may know whereabouts"}
    assert read(api, "mentor-1", f"/referrals/{case}", **urgent) == 200
    assert read(api, "dpo-1", f"/referrals/{case}", **urgent) == 200  # no need: full envelope
    invoked = log(api, break_glass="true")
    assert [
        (e["actor_id"], e["outcome"], e["beyond_scope"], e["break_glass_reason"]) for e in invoked
    ] == [
        ("mentor-1", "allowed", True, urgent["Break-Glass"]),
        ("dpo-1", "allowed", False, urgent["Break-Glass"]),
    ]


def test_compliance_officers_open_sealed_content_only_with_a_stated_purpose(
    api: Api, clock: FixedClock
) -> None:
    agencies = register_agencies(api)
    case = case_with_disclosures(api, clock, agencies, "2026-03-05", [[SCHOOL]])
    path = f"/referrals/{case}/history?reveal=true"
    refused = api.client.get(path, headers=api.headers("dpo-1"))
    assert (refused.status_code, refused.json()["rule"]) == (403, "purpose-required")
    purpose = {"Access-Purpose": "Subject access request SAR-2026-113"}
    assert read(api, "dpo-1", path, **purpose) == 200
    assert read(api, "dpo-1", f"/referrals/{case}/history") == 200  # the envelope needs none
    opened = [e for e in log(api, actor_id="dpo-1") if e["revealed"]]
    assert [e["purpose"] for e in opened] == ["Subject access request SAR-2026-113"]


def test_case_data_and_exports_carry_the_protective_marking_and_a_watermark(
    api: Api, clock: FixedClock
) -> None:
    agencies = register_agencies(api)
    case = case_with_disclosures(api, clock, agencies, "2026-03-05", [[SCHOOL]])
    answer = api.client.get(f"/referrals/{case}", headers=api.headers("police-1"))
    assert answer.headers["protective-marking"] == PROTECTIVE_MARKING
    assert answer.headers["cache-control"] == "no-store"
    catalogue = api.client.get("/legal-bases", headers=api.headers("police-1"))
    assert "protective-marking" not in catalogue.headers
    register = f"/agencies/{agencies[SCHOOL]}/disclosure-register"
    params = {"after_position": api.log_position()}
    exported = api.client.get(
        register, params={**params, "format": "csv"}, headers=api.headers("dpo-1")
    )
    first_line = exported.text.removeprefix("\ufeff").split("\r\n")[0]
    # Quoted, so a spreadsheet keeps the marking and watermark in one cell.
    assert first_line.startswith(f'"# {PROTECTIVE_MARKING}')
    assert first_line.endswith('"')
    assert next(csv.reader([first_line])) == [first_line[1:-1]]
    assert "dpo-1 (compliance_officer, Norfolk County Council)" in first_line
    assert len(read_csv(exported.text)) == 1
    as_json = api.client.get(register, params=params, headers=api.headers("dpo-1")).json()
    assert (as_json["protective_marking"], as_json["produced_by"]) == (PROTECTIVE_MARKING, "dpo-1")


def test_a_referrer_sees_the_feedback_on_their_own_referral_only(api: Api) -> None:
    mine = api.client.post("/referrals", json=referral_form(), headers=api.headers("referrer-1"))
    assert mine.status_code == 201
    referral_id = UUID(mine.json()["referral_id"])
    feedback = api.client.get(
        f"/referrals/{referral_id}/feedback", headers=api.headers("referrer-1")
    )
    assert feedback.status_code == 200
    assert feedback.json()["feedback"] == []
    for path in (f"/referrals/{referral_id}", f"/referrals/{referral_id}/history"):
        assert read(api, "referrer-1", path) == 403
    theirs = api.received(referral_form())
    assert read(api, "referrer-1", f"/referrals/{theirs}/feedback") == 403


def test_the_gate_fails_closed_and_names_each_refusal(
    api: Api, app: FastAPI, settings: Settings, clock: FixedClock
) -> None:
    agencies = register_agencies(api)

    @app.get("/unlisted")
    def unlisted(_actor: ActorDep) -> dict[str, str]:
        return {"reached": "yes"}

    refusals = {
        "no-token": api.client.get("/referrals"),
        "route-not-in-matrix": api.client.get("/unlisted", headers=api.headers("triage-1")),
        "own-agency-only": api.client.get(
            f"/agencies/{agencies[MENTORS]}/disclosure-register", headers=api.headers("school-1")
        ),
        "not-your-role": api.client.get(
            "/referrals", headers={**api.headers("police-1"), "Acting-Role": "mash_triage"}
        ),
        "role-not-permitted": api.client.get("/retention/due", headers=api.headers("police-1")),
    }
    for rule, answer in refusals.items():
        assert answer.json().get("rule") == rule, (rule, answer.text)
    assert (
        api.client.get(
            f"/agencies/{agencies[SCHOOL]}/disclosure-register", headers=api.headers("school-1")
        ).status_code
        == 200
    )

    _, token = issue_token(
        settings.token_table,
        "insp-4",
        [Role.POLICE, Role.MINUTE_TAKER],
        agency("Norfolk Constabulary"),
        clock.now(),
    )
    bearer = {"Authorization": f"Bearer {token}"}
    case = api.received(referral_form())
    as_minute_taker = {**bearer, "Acting-Role": "minute_taker"}
    assert api.client.get(f"/referrals/{case}", headers=as_minute_taker).status_code == 200
    entry = log(api, actor_id="insp-4")[-1]
    assert entry["role"] == "minute_taker"
    hold = {"expected_version": 1, "ground": "litigation", "reason": "Claim"}
    placed = api.client.post(f"/referrals/{case}/legal-hold", json=hold, headers=bearer)
    assert placed.status_code == 200, placed.text  # acts as police, the role the step allows
    last = api.history(case)[-1]
    assert (last["event"], last["actor_role"]) == ("LegalHoldPlaced", "police")


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_six_s62_logs_for_a_period(api: Api, clock: FixedClock) -> None:
    agencies = register_agencies(api)
    case = case_with_disclosures(api, clock, agencies, "2026-03-05", [[SCHOOL]])
    assert read(api, "police-1", f"/referrals/{case}") == 200
    erase_case(api, case)
    answer = api.client.get(
        "/access-log/s62",
        params={"from": "2026-03-01", "to": "2026-03-31"},
        headers=api.headers("dpo-1"),
    )
    assert answer.status_code == 200, answer.text
    logs = answer.json()["logs"]
    assert set(logs) == {
        "collection",
        "alteration",
        "consultation",
        "disclosure",
        "combination",
        "erasure",
    }
    assert "ReferralReceived" in {e["what"] for e in logs["collection"]}
    assert {"SecurityChecksRecorded", "ReferralScreenedIn"} <= {
        e["what"] for e in logs["alteration"]
    }
    (disclosed,) = logs["disclosure"]
    assert (disclosed["recipients"], disclosed["actor_id"]) == ([SCHOOL], "police-1")
    assert ("police-1", "case") in {(e["actor_id"], e["what"]) for e in logs["consultation"]}
    assert [e["what"] for e in logs["erasure"]] == ["ErasureExecuted"]
    assert logs["combination"] == []
    after = api.client.get(
        "/access-log/s62",
        params={"from": "2026-04-01", "to": "2026-04-30"},
        headers=api.headers("dpo-1"),
    ).json()["logs"]
    assert all(entries == [] for entries in after.values())


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_access_log_is_append_only(api: Api, settings: Settings) -> None:
    assert read(api, "triage-1", "/referrals") == 200
    if settings.store == "sqlite":
        with sqlite3.connect(settings.data_dir / "access.sqlite") as conn:
            for change in (
                "UPDATE vtr_access_log SET actor_id = 'someone-else'",
                "DELETE FROM vtr_access_log",
            ):
                with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                    conn.execute(change)
    else:
        connection = settings.postgres_connection(settings.pg_database)
        with (
            psycopg.connect(**connection) as conn,  # type: ignore[arg-type]
            pytest.raises(psycopg.errors.RaiseException, match="append-only"),
        ):
            conn.execute("DELETE FROM vtr_access_log")
    assert [e["actor_id"] for e in log(api, actor_id="triage-1")] == ["triage-1"]
