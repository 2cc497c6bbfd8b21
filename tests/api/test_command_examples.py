"""The documented example bodies, sent for real in the order of their story: the process
accepts every one of them as it stands, with only the placeholder ids and versions filled in."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

import pytest

from aggregates.agency import agency_id_for
from api.http.app import api_routes
from scenarios.command_examples import (
    AGENCY_IDS,
    CHILDRENS,
    EXAMPLES,
    MENTORS,
    POLICE,
    REFERRAL_ID,
    SCHOOL,
)
from tests import lifecycle as steps
from tests.api_client import Api
from tests.lifecycle import at
from tests.sharing_support import AGENCY_TYPES, disclosure
from tests.support import FixedClock, referral_form

PATHS = {route.name: route.path for route in api_routes()}


@pytest.fixture
def backend() -> str:
    """A contract of the HTTP answers, not of storage: SQLite only."""
    return "sqlite"


class Story:
    """Sends examples as the documentation shows them, tracking what the placeholders stand
    for; checks that each was recorded as the events its answer names."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.agency_versions: dict[UUID, int] = {}
        self.sent: set[str] = set()

    def body(self, name: str, referral_id: UUID | None = None) -> dict[str, Any]:
        text = json.dumps(EXAMPLES[name])
        for agency, placeholder in AGENCY_IDS.items():
            text = text.replace(placeholder, str(agency_id_for(agency)))
        if referral_id is not None:
            text = text.replace(REFERRAL_ID, str(referral_id))
        body: dict[str, Any] = json.loads(text)
        body.pop("expected_version", None)  # the one the story has reached, filled in below
        return body

    def receive(self) -> UUID:
        self.sent.add("receive_referral")
        response = self.api.receive(self.body("receive_referral"))
        assert response.status_code == 201, response.text
        referral_id = UUID(response.json()["referral_id"])
        assert self.api.history(referral_id)[-1]["event"] == "ReferralReceived"
        return referral_id

    def send(self, name: str, referral_id: UUID, *, by: str) -> dict[str, Any]:
        self.sent.add(name)
        version = self.api.versions[referral_id]
        path = PATHS[name].format(referral_id=referral_id)
        response = self.api.client.post(
            path,
            json={"expected_version": version, **self.body(name, referral_id)},
            headers=self.api.headers(by),
        )
        assert response.status_code in {200, 201}, f"{name}: {response.text}"
        answer: dict[str, Any] = response.json()
        assert answer["version"] == version + len(answer["events"])
        self.api.versions[referral_id] = answer["version"]
        recorded = [event["event"] for event in self.api.history(referral_id)]
        assert recorded[-len(answer["events"]) :] == answer["events"], name
        return answer

    def send_to_agency(self, name: str, agency: str, *, by: str) -> dict[str, Any]:
        self.sent.add(name)
        agency_id = agency_id_for(agency)
        version = self.agency_versions[agency_id]
        response = self.api.client.post(
            PATHS[name].format(agency_id=agency_id),
            json={"expected_version": version, **self.body(name)},
            headers=self.api.headers(by),
        )
        assert response.status_code == 200, f"{name}: {response.text}"
        answer: dict[str, Any] = response.json()
        self.agency_versions[agency_id] = answer["version"]
        return answer

    def register_agencies(self) -> None:
        self.sent.add("register_agency")
        example = self.body("register_agency")
        others = [
            {"name": name, "agency_type": kind}
            for name, kind in AGENCY_TYPES.items()
            if name != example["name"]
        ]
        for body in (example, *others):
            response = self.api.client.post(
                "/agencies", json=body, headers=self.api.headers("admin-1")
            )
            assert response.status_code == 201, response.text
            agency_id = UUID(response.json()["agency_id"])
            assert agency_id == agency_id_for(body["name"])
            self.agency_versions[agency_id] = response.json()["version"]


def test_every_example_is_accepted_by_the_process_in_story_order(
    api: Api, clock: FixedClock
) -> None:
    story = Story(api)
    story.register_agencies()
    mentors = story.body("register_agency")["name"]
    story.send_to_agency("sign_isp", mentors, by="admin-1")

    disputed = screened_out_and_disputed(api, story)
    assert stage(api, disputed) == "screened_out"

    referral_id = triaged_and_discussed(api, clock, story)
    alternative = referred_elsewhere(api, clock, story)
    assert stage(api, alternative) == "referred_to_alternative_support"

    supported_at_meeting(api, clock, story, referral_id)
    concluded_and_disposed(api, clock, story, referral_id)
    story.send_to_agency("lapse_isp", mentors, by="admin-1")
    entry = api.client.get(f"/agencies/{agency_id_for(mentors)}", headers=api.headers("admin-1"))
    assert entry.json()["signatures"][0]["isp_version"] == "NCCSP ISP v4", entry.text
    assert (entry.json()["lapses"], entry.json()["may_share_today"]) == (["2026-09-30"], False)

    held_reviewed_and_erased(api, clock, story, referral_id)
    assert story.sent == set(EXAMPLES), "the story sends every example"


def stage(api: Api, referral_id: UUID) -> str:
    """The case view's stage, once it has seen everything recorded so far."""
    found: str = api.case(referral_id, after=api.log_position())["stage"]
    return found


def screened_out_and_disputed(api: Api, story: Story) -> UUID:
    referral_id = api.received(referral_form())
    api.ok(referral_id, "security-checks", by="triage-1")
    story.send("screen_out", referral_id, by="triage-1")
    story.send("raise_dispute", referral_id, by="police-2")
    story.send("refer_dispute", referral_id, by="triage-1")
    story.send("resolve_dispute", referral_id, by="hos-1")
    return referral_id


def triaged_and_discussed(api: Api, clock: FixedClock, story: Story) -> UUID:
    referral_id = story.receive()
    story.send("record_security_checks", referral_id, by="triage-1")
    story.send("request_further_information", referral_id, by="triage-1")
    clock.advance(hours=5)
    story.send("return_further_information", referral_id, by="desk-1")
    story.send("screen_in", referral_id, by="triage-1")
    story.send("schedule_strategy_discussion", referral_id, by="police-1")
    at(clock, "2026-03-05T15:00:00")
    story.send("consult_referrer", referral_id, by="police-1")
    story.send("record_risk_assessment", referral_id, by="police-1")
    story.send("decide_consent_approach", referral_id, by="police-1")
    story.send("disclose", referral_id, by="police-1")
    story.send("conclude_strategy_discussion", referral_id, by="police-1")
    story.send("sign_mash_decision", referral_id, by="police-1")
    api.ok(referral_id, "mash-decision/signatures", {"capacity": "childrens_services"}, by="cs-1")
    at(clock, "2026-03-06T11:00:00")
    story.send("notify_referrer", referral_id, by="triage-1")
    return referral_id


def referred_elsewhere(api: Api, clock: FixedClock, story: Story) -> UUID:
    """A second child, where consent was sought and refused and the discussion found another
    provider better suited."""
    at(clock, "2026-03-05T09:00:00")
    referral_id = api.received(referral_form(received_at="2026-03-05T08:00:00Z"))
    api.ok(referral_id, "security-checks", by="triage-1")
    api.ok(referral_id, "screen-in", by="triage-1")
    steps.discussion_under_way(api, clock, referral_id)
    childrens = str(agency_id_for(CHILDRENS))
    api.ok(
        referral_id,
        "consent/approach",
        {"stage": "preliminary_assessment", "seek": True, "seeker_agency_id": childrens},
        by="police-1",
    )
    api.ok(
        referral_id,
        "consent/sought",
        {"seeker_agency_id": childrens, "sought_on": "2026-03-05"},
        by="cs-1",
    )
    story.send("record_consent_refused", referral_id, by="cs-1")
    steps.ready_to_decide(api, referral_id)
    api.ok(
        referral_id,
        "strategy-discussion/decision",
        {"outcome": "alternative_support", "reasons": "Mental-health needs lead."},
        by="police-1",
    )
    steps.section_2_signatures(api, referral_id)
    at(clock, "2026-03-06T11:00:00")
    story.send("refer_to_alternative_support", referral_id, by="triage-1")
    return referral_id


def supported_at_meeting(api: Api, clock: FixedClock, story: Story, referral_id: UUID) -> None:
    story.send("convene_strategy_meeting", referral_id, by="chair-1")
    at(clock, "2026-03-10T09:00:00")
    for name in (POLICE, CHILDRENS, SCHOOL):
        invitation = {"agency_id": str(agency_id_for(name))}
        api.ok(referral_id, "strategy-meeting/invitations", invitation, by="chair-1")
    story.send("invite_agency", referral_id, by="chair-1")
    at(clock, "2026-03-12T10:05:00")
    story.send("read_confidentiality_statement", referral_id, by="chair-1")
    childrens = str(agency_id_for(CHILDRENS))
    api.ok(
        referral_id,
        "consent/approach",
        {"stage": "panel", "seek": True, "seeker_agency_id": childrens},
        by="police-1",
    )
    story.send("seek_consent", referral_id, by="cs-1")
    story.send("record_consent_given", referral_id, by="cs-1")
    school_share = disclosure(
        agency_id_for(SCHOOL),
        [],
        context="strategy_meeting",
        information_category="education",
        content="Attendance 84% this term; two incidents in the class group chat.",
        legal_basis_ids=["uk.consent-art6-1a"],
        particularly_sensitive=False,
        public_interest=None,
        public_interest_reasoning=None,
        to_meeting_attendees=True,
        need_to_know=[
            {"agency_id": str(agency_id_for(name)), "needs_to_know": True, "rationale": "Plan."}
            for name in (POLICE, CHILDRENS, MENTORS)
        ],
    )
    api.ok(referral_id, "disclosures", school_share, by="school-1")
    story.send("withhold", referral_id, by="police-1")
    story.send("sanction_onward_disclosure", referral_id, by="chair-1")
    story.send("decide_subject_discussion", referral_id, by="school-1")
    story.send("conclude_strategy_meeting", referral_id, by="chair-1")


def concluded_and_disposed(api: Api, clock: FixedClock, story: Story, referral_id: UUID) -> None:
    at(clock, "2026-04-16T12:00:00")
    story.send("hold_review", referral_id, by="chair-1")
    at(clock, "2026-05-01T12:00:00")
    story.send("record_consent_withdrawn", referral_id, by="cs-1")
    at(clock, "2026-05-21T12:00:00")
    review = {"held_on": "2026-05-21", "outcome": "conclude", "progress_notes": "Settled."}
    api.ok(referral_id, "reviews", review, by="chair-1")
    at(clock, "2026-05-22T09:00:00")
    story.send("conclude_process", referral_id, by="chair-1")
    steps.feedback(api, clock, referral_id, "conclusion")
    at(clock, "2026-05-26T09:00:00")
    story.send("end_agency_involvement", referral_id, by="triage-1")
    at(clock, "2026-06-02T09:00:00")
    story.send("confirm_disposal", referral_id, by="cs-1")
    at(clock, "2026-11-23T09:00:00")
    story.send("record_post_exit_review", referral_id, by="chair-1")
    assert stage(api, referral_id) == "concluded"


def held_reviewed_and_erased(api: Api, clock: FixedClock, story: Story, referral_id: UUID) -> None:
    at(clock, "2026-12-01T09:00:00")
    story.send("place_legal_hold", referral_id, by="dpo-1")
    story.send("lift_legal_hold", referral_id, by="dpo-1")
    at(clock, "2032-05-24T09:00:00")
    story.send("review_retention", referral_id, by="dpo-1")
    assert "Example-Fairweather" in json.dumps(api.history(referral_id, reveal=True))
    story.send("request_erasure", referral_id, by="dpo-1")
    story.send("approve_erasure", referral_id, by="dpo-2")
    story.send("execute_erasure", referral_id, by="dpo-1")
    revealed = json.dumps(api.history(referral_id, reveal=True))
    assert "Example-Fairweather" not in revealed, "the example's subject is erased"
