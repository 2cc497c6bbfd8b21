"""The case as it stood: `as_of` reads of a case and its history equal the live reads taken
right after each step was recorded, on both stores; a future moment is a 422, one before
the referral a 404; the agency scope and the access log apply as to any read."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient

from api.http.app import api_routes
from commands.context import Actor
from scenarios import steps
from scenarios.http_driver import HttpDriver
from tests import lifecycle
from tests.api_client import Api
from tests.section8_support import case_with_disclosures, end_involvement, erase_case
from tests.sharing_support import CHILDRENS, POLICE, SCHOOL, register_agencies
from tests.support import FixedClock, referral_form

Capture = tuple[datetime, dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]


class CapturingDriver(HttpDriver):
    """Takes each step a second after the last, then reads the case and its history live."""

    def __init__(self, api: Api, clock: FixedClock, captured: dict[UUID, list[Capture]]) -> None:
        super().__init__(api.client, api.headers_of, api_routes(), api.versions)
        self.api, self.clock, self.captured = api, clock, captured

    def take(self, command: str, about: UUID | None, body: Mapping[str, Any], by: Actor) -> UUID:
        self.clock.advance(seconds=1)
        changed = super().take(command, about, body, by)
        if "referral_id" in self.answer:
            live = self.api.case(changed, after=self.answer["position"])
            history = self.api.history(changed)
            known = knowledge_now(self.api, changed)
            self.captured.setdefault(changed, []).append((self.clock.now(), live, history, known))
        return changed


class CapturingApi(Api):
    def __init__(self, client: TestClient, clock: FixedClock) -> None:
        super().__init__(client)
        self.clock = clock
        self.captured: dict[UUID, list[Capture]] = {}

    def driver(self) -> HttpDriver:
        return CapturingDriver(self, self.clock, self.captured)


def knowledge_now(api: Api, referral_id: UUID) -> list[dict[str, Any]]:
    answer = api.client.get(f"/referrals/{referral_id}/knowledge", headers=api.headers("dpo-1"))
    assert answer.status_code == 200, answer.text
    agencies: list[dict[str, Any]] = answer.json()["agencies"]
    return agencies


def as_of(api: Api, path: str, moment: datetime, by: str = "triage-1") -> Any:
    return api.client.get(path, params={"as_of": moment.isoformat()}, headers=api.headers(by))


def test_each_moment_reads_as_it_did_live(app: Any, clock: FixedClock) -> None:
    with TestClient(app) as client:
        api = CapturingApi(client, clock)
        agencies = register_agencies(api)
        whole = lifecycle.full_lifecycle(api, clock)
        shared = case_with_disclosures(api, clock, agencies, "2027-01-05", [[SCHOOL]])
        end_involvement(api, clock, shared, agencies[SCHOOL], "2027-01-06")
        lifecycle.case_of(api, shared).then(steps.disposal_confirmed(SCHOOL))
        erase_case(api, shared)
        clock.moment = max(m for c in api.captured.values() for m, *_ in c) + timedelta(days=1)
        for referral_id in (whole, shared):
            moments = api.captured[referral_id]
            assert len(moments) >= 5
            for moment, live, history, known in moments:
                case = as_of(api, f"/referrals/{referral_id}", moment)
                assert case.status_code == 200, case.text
                assert case.json()["case"] == live, moment
                events = as_of(api, f"/referrals/{referral_id}/history", moment)
                assert events.json()["events"] == history, moment
                knew = as_of(api, f"/referrals/{referral_id}/knowledge", moment, by="dpo-1")
                assert knew.json()["agencies"] == known, moment
        (school,) = [a for a in api.captured[shared][-1][3] if a["agency"] == SCHOOL]
        assert [(r["disclosure_no"], r["counterparts"]) for r in school["received"]] == [
            (1, [POLICE])
        ]
        assert [(d["disclosure_no"], d["complete"]) for d in school["disposed"]] == [(1, True)]


def test_an_agency_knows_only_its_own_part(api: Api, clock: FixedClock) -> None:
    agencies = register_agencies(api)
    referral_id = case_with_disclosures(api, clock, agencies, "2026-03-05", [[SCHOOL], [CHILDRENS]])
    path = f"/referrals/{referral_id}/knowledge"
    everyone = api.client.get(path, headers=api.headers("dpo-1")).json()["agencies"]
    received = {a["agency"]: [r["disclosure_no"] for r in a["received"]] for a in everyone}
    assert received == {POLICE: [], SCHOOL: [1], CHILDRENS: [2]}
    (police,) = [a for a in everyone if a["agency"] == POLICE]
    assert [d["counterparts"] for d in police["disclosed"]] == [[SCHOOL], [CHILDRENS]]
    assert all(d["legal_bases"] for d in police["disclosed"])
    own = api.client.get(path, headers=api.headers("school-1")).json()["agencies"]
    assert [a["agency"] for a in own] == [SCHOOL]
    exported = api.client.get(path, params={"format": "csv"}, headers=api.headers("dpo-1"))
    assert "# OFFICIAL-SENSITIVE" in exported.text.splitlines()[0]
    assert f"{SCHOOL},received,1," in exported.text


def test_a_moment_the_ledger_cannot_answer_for_is_refused(api: Api, clock: FixedClock) -> None:
    received = clock.now()
    referral_id = api.received(referral_form())
    clock.advance(hours=1)
    for path in (f"/referrals/{referral_id}", f"/referrals/{referral_id}/history"):
        future = as_of(api, path, clock.now() + timedelta(minutes=1))
        named = [error["field"] for error in future.json()["errors"]]
        assert (future.status_code, named) == (422, ["as_of"]), future.text
        before = as_of(api, path, received - timedelta(seconds=1))
        assert before.status_code == 404, before.text
        naive = api.client.get(
            path, params={"as_of": "2026-03-02T09:00:00"}, headers=api.headers("triage-1")
        )
        assert naive.status_code == 422, "a moment without its offset is ambiguous"
        assert as_of(api, path, received).status_code == 200


def test_an_agency_sees_the_past_only_within_its_scope_and_the_read_is_logged(
    api: Api, clock: FixedClock
) -> None:
    agencies = register_agencies(api)
    shared = case_with_disclosures(api, clock, agencies, "2026-03-05", [[SCHOOL]])
    other = api.received(referral_form())
    moment = clock.now()
    own = as_of(api, f"/referrals/{shared}/history", moment, by="school-1")
    assert own.status_code == 200
    seen = {entry["event"] for entry in own.json()["events"]}
    assert seen <= {"InformationDisclosed", "ReferralReceived"}, seen
    assert as_of(api, f"/referrals/{other}", moment, by="school-1").status_code == 403
    log = api.client.get(
        "/access-log", params={"referral_id": str(shared)}, headers=api.headers("dpo-1")
    ).json()["consultations"]
    filters = [entry["filters"] for entry in log if entry["actor_id"] == "school-1"]
    assert {"as_of": moment.isoformat()} in [
        {k: v for k, v in f.items() if k == "as_of"} for f in filters
    ]


def test_changes_between_two_moments_show_back_dated_entries(api: Api, clock: FixedClock) -> None:
    clock.moment = datetime(2026, 3, 23, 9, 0, tzinfo=UTC)  # three weeks after 2 March
    start = clock.now()
    late = api.received(referral_form(received_at="2026-03-02T08:15:00Z"))
    clock.advance(hours=2)
    same_day = api.received(referral_form(received_at="2026-03-23T10:30:00Z"))
    clock.advance(hours=1)
    for referral_id, days in ((late, 21), (same_day, 0)):
        answer = api.client.get(
            f"/referrals/{referral_id}/changes",
            params={"from": start.isoformat()},
            headers=api.headers("dpo-1"),
        )
        assert answer.status_code == 200, answer.text
        (entry,) = answer.json()["changes"]
        assert (entry["event"], entry["effective_on"]) == (
            "ReferralReceived",
            "2026-03-02" if days else "2026-03-23",
        )
        assert (entry["back_dated"], entry["recorded_days_after"]) == (days > 0, days)
        assert answer.json()["watermark"]["produced_by"] == "dpo-1"
    before = api.client.get(
        f"/referrals/{same_day}/changes",
        params={"from": start.isoformat(), "to": (start + timedelta(hours=1)).isoformat()},
        headers=api.headers("dpo-1"),
    )
    assert before.json()["changes"] == [], "recorded after the window closed"
    exported = api.client.get(
        f"/referrals/{late}/changes",
        params={"from": start.isoformat(), "format": "csv"},
        headers=api.headers("dpo-1"),
    )
    lines = exported.text.splitlines()
    assert "# OFFICIAL-SENSITIVE" in lines[0], lines[0]
    assert "ReferralReceived" in lines[-1]
    assert ",True,21," in lines[-1]
    backwards = api.client.get(
        f"/referrals/{late}/changes",
        params={"from": clock.now().isoformat(), "to": start.isoformat()},
        headers=api.headers("dpo-1"),
    )
    assert backwards.status_code == 422
