"""The access record tells the truth: the defects an outside security test found, each shown
refused or recorded as an auditor (or an attacker) would see it.

Every test reads the answer the caller got *and* what the access log then says.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest

from api.access.identity import TokenAgency, issue_token, revoke_token
from api.logging import configure_logging
from api.settings import Settings
from events.vocabulary import Role
from tests.api_client import Api
from tests.conftest import BACKENDS
from tests.lifecycle import at, discussion_under_way, ready_to_decide, triage
from tests.section8_support import school_and_mentors_cases
from tests.sharing_support import (
    POLICE,
    SCHOOL,
    at_meeting,
    disclosure,
    register_agencies,
)
from tests.support import (
    SUBJECT_DOB,
    SUBJECT_NAME,
    FixedClock,
    agency,
    find_personal_data,
    referral_form,
    write_token_table,
)


@pytest.fixture(params=["sqlite"])
def backend(request: pytest.FixtureRequest) -> str:
    """The gate and what it logs do not depend on the store: SQLite here. The access log's own
    storage on both stores is checked by test_access_record_oracle and test_access_audit, and a
    stream failing mid-way (store-specific) below."""
    name: str = request.param
    return name


PURPOSE = {"Access-Purpose": "Subject access request SAR-2026-113"}
URGENT = {"Break-Glass": "Child missing tonight; the mentor may know where"}


def entries(api: Api, **params: Any) -> list[dict[str, Any]]:
    """The access log as a compliance officer reads it (their own reads are left out)."""
    response = api.client.get("/access-log", params=params, headers=api.headers("dpo-2"))
    assert response.status_code == 200, response.text
    return [e for e in response.json()["consultations"] if e["actor_id"] != "dpo-2"]


def last_entry(api: Api, actor_id: str) -> dict[str, Any]:
    return entries(api, actor_id=actor_id)[-1]


@pytest.fixture
def world(api: Api, clock: FixedClock) -> tuple[dict[str, UUID], UUID, UUID]:
    """The agencies; a case the school received a disclosure in; a case it has no part in."""
    return school_and_mentors_cases(api, clock)


# 1. Sealed data opened without a purpose, logged as not opened.


@pytest.mark.parametrize("spelling", ["y", "t", "T", "Y", "yes", "1", "true", "on"])
def test_every_spelling_of_reveal_needs_a_purpose_and_is_logged_as_opened(
    api: Api, world: tuple[dict[str, UUID], UUID, UUID], spelling: str
) -> None:
    _, case, _ = world
    path = f"/referrals/{case}/history"
    refused = api.client.get(path, params={"reveal": spelling}, headers=api.headers("dpo-1"))
    assert (refused.status_code, refused.json()["rule"]) == (403, "purpose-required")
    assert SUBJECT_NAME not in refused.text
    denied = last_entry(api, "dpo-1")
    assert (denied["outcome"], denied["reason"], denied["revealed"]) == (
        "denied",
        "purpose-required",
        False,
    )

    opened = api.client.get(
        path, params={"reveal": spelling}, headers={**api.headers("dpo-1"), **PURPOSE}
    )
    assert opened.status_code == 200
    assert opened.json()["revealed"] is True
    assert SUBJECT_NAME in opened.text
    entry = last_entry(api, "dpo-1")
    assert (entry["outcome"], entry["revealed"], entry["purpose"]) == (
        "allowed",
        True,
        PURPOSE["Access-Purpose"],
    )


@pytest.mark.parametrize("spelling", ["n", "f", "0", "false", "off"])
def test_a_false_reveal_serves_sealed_data_and_is_logged_as_not_opened(
    api: Api, world: tuple[dict[str, UUID], UUID, UUID], spelling: str
) -> None:
    _, case, _ = world
    answer = api.client.get(
        f"/referrals/{case}/history", params={"reveal": spelling}, headers=api.headers("dpo-1")
    )
    assert answer.status_code == 200
    assert answer.json()["revealed"] is False
    assert find_personal_data(answer.text) == []
    assert last_entry(api, "dpo-1")["revealed"] is False


# 2. Break-glass opens writes, unlogged; its reason is never stored.


def test_break_glass_never_opens_a_change_and_the_attempt_is_logged(
    api: Api, world: tuple[dict[str, UUID], UUID, UUID]
) -> None:
    _, _, mentors_case = world  # the school has no part in it
    before = api.log_position()
    raised = api.client.post(
        f"/referrals/{mentors_case}/disputes",
        json={"expected_version": api.versions[mentors_case], "disputed_decision": "review"},
        headers={**api.headers("school-1"), **URGENT},
    )
    assert (raised.status_code, raised.json()["rule"]) == (403, "break-glass-read-only")
    assert api.log_position() == before
    entry = last_entry(api, "school-1")
    assert (entry["outcome"], entry["reason"], entry["route"]) == (
        "denied",
        "break-glass-read-only",
        "raise_dispute",
    )
    assert (entry["break_glass"], entry["break_glass_reason"]) == (True, URGENT["Break-Glass"])
    assert entry["referral_id"] == str(mentors_case)


def test_break_glass_reads_keep_their_reason_and_say_what_they_opened(
    api: Api, world: tuple[dict[str, UUID], UUID, UUID]
) -> None:
    _, school_case, mentors_case = world
    short = api.client.get(
        f"/referrals/{mentors_case}", headers={**api.headers("school-1"), "Break-Glass": "x"}
    )
    assert (short.status_code, short.json()["rule"]) == (403, "break-glass-reason-required")
    opened = api.client.get(
        f"/referrals/{mentors_case}", headers={**api.headers("school-1"), **URGENT}
    )
    assert opened.status_code == 200
    needless = api.client.get(
        f"/referrals/{school_case}", headers={**api.headers("school-1"), **URGENT}
    )
    assert needless.status_code == 200
    invoked = entries(api, break_glass="true")
    assert [
        (e["referral_id"], e["outcome"], e["reason"], e["beyond_scope"], e["break_glass_reason"])
        for e in invoked
    ] == [
        (str(mentors_case), "denied", "break-glass-reason-required", False, "x"),
        (str(mentors_case), "allowed", None, True, URGENT["Break-Glass"]),
        (str(school_case), "allowed", None, False, URGENT["Break-Glass"]),
    ]


# 3. Partners see every case in the list.


def test_an_agency_practitioner_lists_only_the_cases_its_agency_is_involved_in(
    api: Api, world: tuple[dict[str, UUID], UUID, UUID]
) -> None:
    _, school_case, mentors_case = world
    others = api.received(referral_form())  # no agency involved yet
    after = {"after_position": api.log_position()}
    as_school = api.client.get("/referrals", params=after, headers=api.headers("school-1")).json()
    assert [item["referral_id"] for item in as_school["items"]] == [str(school_case)]
    assert as_school["total"] == 1
    as_school_with_glass = api.client.get(
        "/referrals", params=after, headers={**api.headers("school-1"), **URGENT}
    ).json()
    assert as_school_with_glass["total"] == 1  # break-glass opens a case, never the list
    as_mentor = api.client.get("/referrals", params=after, headers=api.headers("mentor-1")).json()
    assert [item["referral_id"] for item in as_mentor["items"]] == [str(mentors_case)]
    everyone = api.client.get("/referrals", params=after, headers=api.headers("dpo-1")).json()
    assert {item["referral_id"] for item in everyone["items"]} == {
        str(school_case),
        str(mentors_case),
        str(others),
    }
    entry = last_entry(api, "school-1")
    assert (entry["route"], entry["filters"]) == ("list_cases", {"limit": 50, "offset": 0})


# 4. Agency identity by display name.


def test_a_second_agency_of_an_existing_name_is_refused_whatever_its_case_or_spacing(
    api: Api, world: tuple[dict[str, UUID], UUID, UUID]
) -> None:
    agencies, _, _ = world
    before = api.log_position()
    for name in ("Norfolk Constabulary", "norfolk  CONSTABULARY", " Norfolk Constabulary "):
        impostor = api.client.post(
            "/agencies",
            json={"name": name, "agency_type": "community_or_voluntary_organisation"},
            headers=api.headers("triage-1"),
        )
        assert impostor.status_code == 409, name
        body = impostor.json()
        assert (body["type"], body["agency_id"]) == (
            "urn:vtr-ledger:problem:agency-name-taken",
            str(agencies[POLICE]),
        )
    assert api.log_position() == before
    listed = api.client.get("/agencies", headers=api.headers("triage-1")).json()["agencies"]
    assert [a["name"].casefold() for a in listed].count("norfolk constabulary") == 1


def test_a_token_is_its_agencys_id_not_its_name(
    api: Api, world: tuple[dict[str, UUID], UUID, UUID], settings: Settings, clock: FixedClock
) -> None:
    """A look-alike agency's token carrying the police's *name* reads and discloses nothing
    of the police's."""
    agencies, school_case, _ = world
    registered = api.client.post(
        "/agencies",
        json={"name": "Norfolk Constabulary Trust", "agency_type": "non_governmental_organisation"},
        headers=api.headers("triage-1"),
    )
    assert registered.status_code == 201
    look_alike = UUID(registered.json()["agency_id"])
    _, token = issue_token(
        settings.token_table,
        "impostor-1",
        [Role.POLICE],
        TokenAgency(look_alike, "Norfolk Constabulary"),
        clock.now(),
    )
    bearer = {"Authorization": f"Bearer {token}"}
    register = api.client.get(f"/agencies/{agencies[POLICE]}/disclosure-register", headers=bearer)
    assert (register.status_code, register.json()["rule"]) == (403, "own-agency-only")
    own = api.client.get(f"/agencies/{look_alike}/disclosure-register", headers=bearer)
    assert own.status_code == 200
    before = len(api.history(school_case))
    shared = api.client.post(
        f"/referrals/{school_case}/disclosures",
        json={
            "expected_version": api.versions[school_case],
            **disclosure(agencies[POLICE], [agencies[SCHOOL]]),
        },
        headers=bearer,
    )
    assert (shared.status_code, shared.json()["rule"]) == (403, "disclosing-agency-decides")
    assert len(api.history(school_case)) == before  # only the refused attempt is recorded
    entry = last_entry(api, "impostor-1")
    assert (entry["actor_agency_id"], entry["reason"]) == (
        str(look_alike),
        "disclosing-agency-decides",
    )
    assert agency("Norfolk Constabulary").agency_id == agencies[POLICE]


# 5. Not every refusal reaches the access log.


def test_a_refusal_by_a_rule_after_the_gate_is_logged(api: Api, clock: FixedClock) -> None:
    referral_id = discussion_under_way_case(api, clock)
    refused = api.send(
        referral_id, "mash-decision/signatures", {"capacity": "childrens_services"}, by="ass-1"
    )
    assert (refused.status_code, refused.json()["rule"]) == (403, "signatory-role")
    entry = last_entry(api, "ass-1")
    assert (entry["outcome"], entry["reason"], entry["referral_id"], entry["status"]) == (
        "denied",
        "signatory-role",
        str(referral_id),
        403,
    )


def discussion_under_way_case(api: Api, clock: FixedClock) -> UUID:
    referral_id = triage(api, clock)
    discussion_under_way(api, clock, referral_id)
    ready_to_decide(api, referral_id)
    api.ok(
        referral_id,
        "strategy-discussion/decision",
        {"outcome": "vtr_appropriate", "vtr_category": "Extreme right-wing"},
        by="police-1",
    )
    return referral_id


def test_an_anonymous_request_is_refused_before_its_body_is_read(api: Api) -> None:
    for body in (b"{not json", b'{"a": 1, "a": 2}', "{}".encode("utf-16")):
        answer = api.client.post(
            "/referrals", content=body, headers={"content-type": "application/json"}
        )
        assert (answer.status_code, answer.json()["rule"]) == (401, "no-token")
    anonymous = [e for e in entries(api, outcome="denied") if e["actor_id"] is None]
    assert [(e["route"], e["reason"], e["status"]) for e in anonymous] == [
        ("receive_referral", "no-token", 401)
    ] * 3


def test_expired_and_revoked_tokens_are_logged_with_their_token_id(
    api: Api, settings: Settings, clock: FixedClock
) -> None:
    stored, token = issue_token(
        settings.token_table,
        "temp-1",
        [Role.MASH_TRIAGE],
        agency("Norfolk MASH"),
        clock.now(),
        timedelta(days=1),
    )
    revoked, revoked_token = issue_token(
        settings.token_table, "temp-2", [Role.MASH_TRIAGE], agency("Norfolk MASH"), clock.now()
    )
    revoke_token(settings.token_table, revoked.token_id, clock.now())
    clock.advance(days=2)
    for bearer in (token, revoked_token):
        answer = api.client.get("/referrals", headers={"Authorization": f"Bearer {bearer}"})
        assert answer.status_code == 401
    denied = entries(api, outcome="denied")
    assert [(e["reason"], e["token_id"]) for e in denied] == [
        ("expired-token", stored.token_id),
        ("revoked-token", revoked.token_id),
    ]


def test_our_request_id_is_unique_in_the_log_and_the_clients_is_kept(
    api: Api, world: tuple[dict[str, UUID], UUID, UUID]
) -> None:
    _, case, _ = world
    for _ in range(2):
        answer = api.client.get(
            f"/referrals/{case}", headers={**api.headers("police-1"), "X-Request-ID": "same-1"}
        )
        assert answer.status_code == 200
    reads = entries(api, actor_id="police-1")
    assert len({e["request_id"] for e in reads}) == 2
    assert [e["client_request_id"] for e in reads] == ["same-1", "same-1"]
    assert reads[-1]["request_id"] == answer.headers["x-request-id"]


def test_a_register_export_of_one_case_shows_in_who_viewed_that_case(
    api: Api, world: tuple[dict[str, UUID], UUID, UUID]
) -> None:
    agencies, case, _ = world
    answer = api.client.get(
        f"/agencies/{agencies[SCHOOL]}/disclosure-register",
        params={"referral_id": str(case), "format": "csv", "from": "2026-01-01"},
        headers=api.headers("school-1"),
    )
    assert answer.status_code == 200
    viewed = entries(api, referral_id=str(case))
    export = [e for e in viewed if e["route"] == "disclosure_register"]
    assert len(export) == 1
    assert (export[0]["agency_id"], export[0]["output_format"], export[0]["filters"]) == (
        str(agencies[SCHOOL]),
        "csv",
        {"from": "2026-01-01", "referral_id": str(case)},
    )


# 6. Personal data in the server log through the URL.


def test_a_path_segment_that_is_not_an_id_never_reaches_the_server_log(
    api: Api, capfd: pytest.CaptureFixture[str]
) -> None:
    configure_logging("json", "INFO")
    segment = f"{SUBJECT_NAME} {SUBJECT_DOB}"
    for headers in ({}, api.headers("triage-1")):
        answer = api.client.get(f"/referrals/{segment}/history", headers=headers)
        assert answer.status_code in {401, 422}
        assert find_personal_data(answer.text) == []
    captured = capfd.readouterr()
    # The test's own HTTP client logs the URL it sent; the service's lines are what matter.
    server = "\n".join(
        line for line in (captured.out + captured.err).splitlines() if '"httpx' not in line
    )
    assert find_personal_data(server) == []
    assert server.count('"referral_id": "not-a-valid-id"') == 2


# 9. 500s and a truncated 200 for a client's mistake.


@pytest.mark.parametrize(
    ("by", "path", "params"),
    [
        ("triage-1", "/referrals", {"offset": "9223372036854775808"}),
        ("dpo-1", "/access-log", {"from": "2026-11-28", "to": "9999-12-31"}),
        ("dpo-1", "/access-log", {"from": "0001-01-01", "to": "0001-01-02"}),
        ("dpo-1", "/access-log/s62", {"from": "0001-01-01", "to": "0001-01-02"}),
        ("dpo-1", "/access-log/s62", {"from": "2026-11-28", "to": "9999-12-31"}),
        ("dpo-1", "/records-of-processing", {"from": "2026-01-01", "to": "9999-12-31"}),
        ("dpo-1", "/retention/due", {"on": "0001-01-01"}),
        ("dpo-1", "/disposal-obligations", {"on": "9999-12-31"}),
        ("dpo-1", "/legal-bases", {"on": "0001-01-01"}),
    ],
)
def test_out_of_range_queries_are_422_naming_the_parameter(
    api: Api, by: str, path: str, params: dict[str, str]
) -> None:
    answer = api.client.get(path, params=params, headers=api.headers(by))
    assert answer.status_code == 422, answer.text
    named = {error["field"].removeprefix("query.") for error in answer.json()["errors"]}
    assert named & set(params)


def test_an_out_of_range_register_period_is_refused_before_the_answer_starts(
    api: Api, world: tuple[dict[str, UUID], UUID, UUID]
) -> None:
    agencies, _, _ = world
    for params in ({"to": "9999-12-31"}, {"as_of": "0001-01-01T00:00:00Z"}):
        answer = api.client.get(
            f"/agencies/{agencies[SCHOOL]}/disclosure-register",
            params=params,
            headers=api.headers("dpo-1"),
        )
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"] == "application/problem+json"


# 10. Waiting for a position that cannot arrive.


def test_a_position_beyond_the_end_of_the_log_is_refused_at_once(
    api: Api, world: tuple[dict[str, UUID], UUID, UUID]
) -> None:
    agencies, case, _ = world
    beyond = {"after_position": 999_999_999}
    for by, path in (
        ("triage-1", "/referrals"),
        ("triage-1", f"/referrals/{case}"),
        ("triage-1", f"/referrals/{case}/sharing"),
        ("dpo-1", f"/agencies/{agencies[SCHOOL]}/disclosure-register"),
        ("dpo-1", "/disposal-obligations"),
        ("dpo-1", "/retention/due"),
        ("dpo-1", f"/agencies/{agencies[SCHOOL]}/disposal-reminders"),
    ):
        answer = api.client.get(path, params=beyond, headers=api.headers(by))
        assert answer.status_code == 422, (path, answer.text)
        assert answer.json()["errors"][0]["field"] == "after_position"


# 11. Strict input (the HTTP part).


def test_bodies_must_be_strict_json_in_utf_8_as_application_json(
    api: Api, clock: FixedClock
) -> None:
    referral_id = api.received(referral_form())
    before = api.log_position()
    path = f"/referrals/{referral_id}/security-checks"
    headers = api.headers("triage-1")
    refusals = {
        415: [
            (b'{"expected_version": 1}', "application/evil+json"),
            (b'{"expected_version": 1}', "text/plain"),
            (b'{"expected_version": 1}', "application/json; charset=latin-1"),
        ],
        422: [
            (b'{"expected_version": 1, "expected_version": 1}', "application/json"),
            ('{"expected_version": 1}'.encode("utf-16"), "application/json"),
            ('{"expected_version": 1}'.encode("utf-16-le"), "application/json"),
            (b'{"expected_version": NaN}', "application/json"),
            (b'\xef\xbb\xbf{"expected_version": 1}', "application/json"),
            (b'{"expected_version": "1"}', "application/json"),
            (b'{"expected_version": true}', "application/json"),
        ],
    }
    for status, bodies in refusals.items():
        for body, content_type in bodies:
            answer = api.client.post(
                path, content=body, headers={**headers, "content-type": content_type}
            )
            assert answer.status_code == status, (body, content_type, answer.text)
            assert answer.headers["content-type"] == "application/problem+json"
            if status == 415:
                assert answer.json()["rule"] == "unsupported-media-type"
    assert api.log_position() == before
    accepted = api.client.post(
        path,
        content=b'{"expected_version": 1}',
        headers={**headers, "content-type": "application/json; charset=UTF-8"},
    )
    assert accepted.status_code == 200, accepted.text
    del clock


def test_unknown_cases_refuse_the_same_way_as_hidden_ones(api: Api) -> None:
    """A refusal never says whether a case exists, and the list gives no ids to try."""
    hidden = api.client.get(f"/referrals/{uuid4()}", headers=api.headers("school-1"))
    assert (hidden.status_code, hidden.json()["rule"]) == (403, "no-access-to-case")
    listed = api.client.get("/referrals", headers=api.headers("school-1")).json()
    assert listed["items"] == []


def test_at_a_meeting_an_invited_agency_lists_the_case(api: Api, clock: FixedClock) -> None:
    """Invitation alone makes an agency involved, for its list as for its single reads."""
    agencies = register_agencies(api)
    case = at_meeting(api, clock, agencies)
    at(clock, "2026-03-12T11:00:00")
    listed = api.client.get(
        "/referrals", params={"after_position": api.log_position()}, headers=api.headers("school-1")
    ).json()
    assert [item["referral_id"] for item in listed["items"]] == [str(case)]


def corrupt_last_event(settings: Settings) -> None:
    """Damage the stored state of the newest event, as a failing disk or a bad restore might."""
    if settings.store == "sqlite":
        with sqlite3.connect(settings.data_dir / "events.sqlite") as conn:
            conn.execute(
                "UPDATE stored_events SET state = X'7B2262726F6B656E' "
                "WHERE rowid = (SELECT MAX(rowid) FROM stored_events)"
            )
        return
    with psycopg.connect(**settings.postgres_connection(settings.pg_database)) as conn:  # type: ignore[arg-type]
        conn.execute(
            "UPDATE vtr_events SET state = '\\x7b2262726f6b656e'::bytea "
            "WHERE notification_id = (SELECT MAX(notification_id) FROM vtr_events)"
        )


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_export_that_fails_after_it_began_ends_saying_it_is_incomplete(
    api: Api,
    world: tuple[dict[str, UUID], UUID, UUID],
    settings: Settings,
    clock: FixedClock,
    capfd: pytest.CaptureFixture[str],
) -> None:
    agencies, case, _ = world
    api.ok(
        case,
        "disclosures",
        disclosure(agencies[POLICE], [agencies[SCHOOL]]),
        by="police-1",
    )
    corrupt_last_event(settings)
    configure_logging("json", "INFO")
    register = f"/agencies/{agencies[SCHOOL]}/disclosure-register"
    as_of = {"as_of": clock.now().isoformat()}
    answer = api.client.get(register, params=as_of, headers=api.headers("dpo-1"))
    assert answer.status_code == 200  # the status line left before the failure
    document = json.loads(answer.text)  # still one valid JSON document...
    assert document["incomplete"] is True  # ...that says it is not the whole register
    assert document["error"]["type"] == "urn:vtr-ledger:problem:answer-failed"
    assert answer.headers["x-request-id"] in document["error"]["detail"]
    assert len(document["rows"]) == 1  # the rows before the damaged event
    as_csv = api.client.get(
        register, params={**as_of, "format": "csv"}, headers=api.headers("dpo-1")
    )
    assert as_csv.text.rstrip("\r\n").splitlines()[-1].startswith('"# INCOMPLETE:')
    lines = [
        json.loads(line) for line in capfd.readouterr().err.splitlines() if '"request"' in line
    ]
    failed = [line for line in lines if line.get("command") == "disclosure_register"]
    assert [line["outcome"] for line in failed] == ["failed after the answer began"] * 2


def test_a_token_issued_before_agency_ids_is_refused_until_reissued(
    api: Api, settings: Settings
) -> None:
    table = json.loads(settings.token_table.read_text(encoding="utf-8"))
    for token in table["tokens"]:
        token.pop("agency_id")  # as every token looked before agencies had ids
    settings.token_table.write_text(json.dumps(table), encoding="utf-8")
    answer = api.client.get("/referrals", headers=api.headers("triage-1"))
    assert (answer.status_code, answer.json()["rule"]) == (401, "token-needs-reissue")
    write_token_table(settings.token_table)  # re-issued
    assert api.client.get("/referrals", headers=api.headers("triage-1")).status_code == 200
    refused = entries(api, outcome="denied")[-1]
    assert (refused["reason"], refused["token_id"]) == (
        "token-needs-reissue",
        "t-triage-1-mash_triage",
    )
