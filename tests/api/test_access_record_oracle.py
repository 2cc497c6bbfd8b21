"""The access-record oracle: a scripted day of reads, refusals, reveals, break-glass and
exports by every role, then an auditor's check that the access log holds exactly one entry
for each request, and that each entry says what the answer really held.

The oracle judges each entry against the response the caller got, not against the gate's
decision: `revealed` must be true exactly when the answer carried opened personal data,
`outcome` exactly when data was served, the case and filters exactly those of the request.
It also checks that no answer carried a case or an agency's part outside the caller's scope.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID, uuid4

import httpx2 as httpx
import pytest

from api.access.permissions import MATRIX
from events.vocabulary import Role
from projections.register_export import read_csv
from tests.api.test_access_matrix import ONE_PER_ROLE
from tests.api_client import Api
from tests.section8_support import case_with_disclosures
from tests.sharing_support import MENTORS, POLICE, SCHOOL, register_agencies, sign_isp
from tests.support import SUBJECT_NAME, FixedClock, referral_form

DISCLOSED = "Known associate of a proscribed group"  # the sealed content of every disclosure
PURPOSE = "Dispute review DR-7"
GLASS = "Safeguarding emergency: subject missing tonight"
ACTORS = [*ONE_PER_ROLE.values(), "mentor-1"]


@dataclass(frozen=True)
class Sent:
    """One request of the day, what it asked for, and what came back."""

    by: str
    route: str
    path: str
    params: dict[str, str]
    headers: dict[str, str]
    response: httpx.Response
    case: UUID | None = None
    agency: UUID | None = None
    filters: dict[str, str] = field(default_factory=dict)

    @property
    def status(self) -> int:
        return self.response.status_code

    @property
    def request_id(self) -> str:
        return self.response.headers["x-request-id"]

    @property
    def opened_personal_data(self) -> bool:
        return SUBJECT_NAME in self.answer or DISCLOSED in self.answer

    @property
    def answer(self) -> str:
        """What the answer holds, as its reader sees it: a ZIP's files unpacked."""
        if self.response.headers.get("content-type") != "application/zip":
            return self.response.text
        with zipfile.ZipFile(io.BytesIO(self.response.content)) as pack:
            return "".join(pack.read(name).decode() for name in pack.namelist())


@dataclass
class World:
    agencies: dict[str, UUID]
    both: UUID  # the police disclosed to the school and, separately, to the mentors
    mentors_only: UUID
    nobody: UUID  # no agency involved yet
    sent: list[Sent] = field(default_factory=list)


@pytest.fixture
def world(api: Api, clock: FixedClock) -> World:
    agencies = register_agencies(api)
    agencies.update(api.scenario().register({"Norfolk County Council": "local_authority"}))
    assert sign_isp(api, agencies[MENTORS]).status_code == 200
    both = case_with_disclosures(api, clock, agencies, "2026-03-05", [[SCHOOL], [MENTORS]])
    mentors_only = case_with_disclosures(api, clock, agencies, "2026-03-09", [[MENTORS]])
    nobody = api.received(referral_form())
    api.client.get(  # let the views catch up before the day starts
        "/referrals", params={"after_position": api.log_position()}, headers=api.headers("triage-1")
    )
    return World(agencies, both, mentors_only, nobody)


def send(api: Api, world: World, by: str, route: str, path: str, **options: Any) -> None:
    params: dict[str, str] = options.get("params", {})
    headers = {**api.headers(by), **options.get("headers", {})}
    if "json" in options:  # a dispute pack: a read that is also recorded as a disclosure
        response = api.client.post(path, json=options["json"], headers=headers)
        if response.status_code == 200:
            api.versions[options["case"]] += 1
    else:
        response = api.client.get(path, params=params, headers=headers)
    world.sent.append(
        Sent(
            by=by,
            route=route,
            path=path,
            params=params,
            headers=options.get("headers", {}),
            response=response,
            case=options.get("case"),
            agency=options.get("agency"),
            filters=options.get("filters", {}),
        )
    )


SINCE = {"from": "2026-01-01T00:00:00+00:00"}


def the_day(api: Api, world: World) -> None:
    """Every actor tries every consultation, on cases in and out of their scope."""
    agencies = world.agencies
    unknown = uuid4()
    for by in ACTORS:
        for case in (world.both, world.mentors_only, world.nobody, unknown):
            base = f"/referrals/{case}"
            send(api, world, by, "get_case", base, case=case)
            send(api, world, by, "get_history", f"{base}/history", case=case)
            send(api, world, by, "sharing_record", f"{base}/sharing", case=case)
            send(api, world, by, "referrer_feedback", f"{base}/feedback", case=case)
            send(api, world, by, "changes", f"{base}/changes", params=SINCE, case=case)
            send(api, world, by, "knowledge_of_the_case", f"{base}/knowledge", case=case)
        for reveal in ("true", "y", "0"):
            params = {"reveal": reveal}
            path = f"/referrals/{world.both}/history"
            send(api, world, by, "get_history", path, params=params, case=world.both)
            send(
                api,
                world,
                by,
                "get_history",
                path,
                params=params,
                headers={"Access-Purpose": PURPOSE},
                case=world.both,
            )
        pack_request = {
            "expected_version": api.versions[world.both],
            "requester_agency_id": str(agencies[POLICE]),
            "purpose": "Dispute of the Section 2 decision",
            "legal_basis_ids": ["uk.public-task-art6-1e"],
            "handling_advice": "For the dispute only.",
        }
        send(api, world, by, "disclose_dispute_pack", f"/referrals/{world.both}/dispute-packs",
             json=pack_request, headers={"Access-Purpose": PURPOSE}, case=world.both)  # fmt: skip
        glass = {"Break-Glass": GLASS}
        send(api, world, by, "get_case", f"/referrals/{world.nobody}", headers=glass,
             case=world.nobody)  # fmt: skip
        send(api, world, by, "list_cases", "/referrals")
        stage = {"stage": "strategy_discussion"}
        send(api, world, by, "list_cases", "/referrals", params=stage, filters=stage)
        for name in (SCHOOL, MENTORS, POLICE):
            agency = agencies[name]
            register = f"/agencies/{agency}/disclosure-register"
            send(api, world, by, "disclosure_register", register, agency=agency)
            narrowed = {"referral_id": str(world.both), "format": "csv"}
            one_case = {"referral_id": str(world.both)}
            send(api, world, by, "disclosure_register", register, params=narrowed,
                 agency=agency, case=world.both, filters=one_case)  # fmt: skip
            send(api, world, by, "disposal_reminders", f"/agencies/{agency}/disposal-reminders",
                 agency=agency)  # fmt: skip
            send(api, world, by, "holdings", f"/agencies/{agency}/holdings", agency=agency)
            theirs = {"agency_id": str(agency)}
            send(api, world, by, "worklist", "/worklist", params=theirs, agency=agency,
                 filters=theirs)  # fmt: skip
        obligations = {"agency_id": str(agencies[SCHOOL])}
        send(api, world, by, "disposal_obligations", "/disposal-obligations", params=obligations,
             agency=agencies[SCHOOL], filters=obligations)  # fmt: skip
        period = {"from": "2026-03-01", "to": "2026-03-31"}
        send(api, world, by, "records_of_processing", "/records-of-processing", params=period,
             filters=period)  # fmt: skip
        send(api, world, by, "retention_due", "/retention/due")
        chairs = {"role": "meeting_chair"}
        send(api, world, by, "worklist", "/worklist", params=chairs, filters=chairs)
        send(api, world, by, "timeliness", "/timeliness", params=period, filters=period)
        send(api, world, by, "timeliness", "/timeliness", params={**period, "format": "csv"},
             filters=period)  # fmt: skip
        send(api, world, by, "s62_logs", "/access-log/s62", params=period, filters=period)
        mine = {"actor_id": by}
        send(api, world, by, "access_log", "/access-log", params=mine, filters=mine)


def log_entries(api: Api) -> dict[str, list[dict[str, Any]]]:
    """Every entry of the access log, by request id (read at the end, as an auditor would)."""
    response = api.client.get("/access-log", params={"format": "csv"}, headers=api.headers("dpo-2"))
    assert response.status_code == 200
    by_request: dict[str, list[dict[str, Any]]] = {}
    for row in read_csv(response.text):
        by_request.setdefault(row["request_id"], []).append(row)
    return by_request


def test_every_request_has_one_truthful_entry_and_no_answer_leaves_its_scope(
    api: Api, world: World
) -> None:
    the_day(api, world)
    entries = log_entries(api)
    wrong: list[str] = []
    for sent in world.sent:
        wrong.extend(_judge_entry(sent, entries.get(sent.request_id, [])))
        wrong.extend(_judge_scope(sent, world))
    assert len(world.sent) > 500
    served = [s for s in world.sent if s.status == 200]
    assert len(served) > 150, "the day must serve plenty, not only refuse"
    assert any(s.opened_personal_data for s in served), "and open sealed data sometimes"
    assert wrong == [], "\n".join(wrong[:40])


def _judge_entry(sent: Sent, entries: list[dict[str, Any]]) -> list[str]:
    where = f"{sent.by} GET {sent.path}?{sent.params} -> {sent.status}"
    if sent.status in {404, 422}:
        # Nothing served and no access refused (an unknown case for staff who see all).
        return [f"{where}: logged {len(entries)} entries for nothing served"] if entries else []
    if len(entries) != 1:
        return [f"{where}: {len(entries)} entries, not one"]
    entry = entries[0]
    expected = {
        "actor_id": sent.by,
        "route": sent.route,
        "outcome": "allowed" if sent.status == 200 else "denied",
        "status": str(sent.status),
        "revealed": str(sent.opened_personal_data),
        "referral_id": str(sent.case) if sent.case else "",
        "agency_id": str(sent.agency) if sent.agency else "",
        "break_glass": str("Break-Glass" in sent.headers),
        "break_glass_reason": sent.headers.get("Break-Glass", ""),
        "purpose": sent.headers.get("Access-Purpose", ""),
    }
    if sent.status == 200:
        answered = sent.response.headers["content-type"]
        kinds = {"text/csv": "csv", "application/zip": "zip"}
        expected["output_format"] = next(
            (kind for prefix, kind in kinds.items() if answered.startswith(prefix)), "json"
        )
    found = {name: entry[name] for name in expected}
    wrong = [f"{where}: {name} logged {found[name]!r}, truly {expected[name]!r}"
             for name in expected if found[name] != expected[name]]  # fmt: skip
    filters = json.loads(entry["filters"] or "{}")
    narrowed = {k: v for k, v in filters.items() if k in sent.filters}
    if sent.status == 200 and narrowed != sent.filters:
        wrong.append(f"{where}: filters logged {filters}, sent {sent.filters}")
    return wrong


def _judge_scope(sent: Sent, world: World) -> list[str]:
    """An agency practitioner's answer holds its agency's part of its own cases only; a
    referrer's, their own referrals only."""
    if sent.status != 200:
        return [] if _tells_nothing(sent) else [f"{sent.by} {sent.path}: a refusal told more"]
    role = _role(sent.by)
    if role is not Role.PARTNER_AGENCY or "Break-Glass" in sent.headers:
        return []  # break-glass opens a case beyond the scope, on purpose and on the record
    mine = SCHOOL if sent.by == "school-1" else MENTORS
    theirs = MENTORS if mine == SCHOOL else SCHOOL
    visible = {world.both, world.mentors_only} if mine == MENTORS else {world.both}
    hidden = {world.both, world.mentors_only, world.nobody} - visible
    text = sent.response.text
    leaks = [f"case {case}" for case in hidden if str(case) in text]
    if sent.route != "disclosure_register" and str(world.agencies[theirs]) in text:
        leaks.append(f"the part of {theirs}")
    return [f"{sent.by} {sent.path}: the answer shows {leak}" for leak in leaks]


def _tells_nothing(sent: Sent) -> bool:
    return SUBJECT_NAME not in sent.response.text and DISCLOSED not in sent.response.text


def _role(actor_id: str) -> Role:
    roles = {actor: role for role, actor in ONE_PER_ROLE.items()}
    return roles.get(actor_id, Role.PARTNER_AGENCY)


def test_the_oracle_reads_the_matrix_it_audits() -> None:
    """Every consultation route of the matrix is part of the day."""
    consults = {name for name, permission in MATRIX.items() if permission.consults is not None}
    source = the_day.__code__.co_consts
    routes = {value for value in source if isinstance(value, str) and value in MATRIX}
    assert consults <= routes, sorted(consults - routes)
