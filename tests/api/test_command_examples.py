"""The documented example bodies, sent for real in the order of their story: the process
accepts every one of them as it stands, with only the placeholder ids and versions filled in."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any
from uuid import UUID

import pytest

from aggregates.agency import agency_id_for
from api.http.command_examples import (
    AGENCY_IDS,
    CHILDRENS,
    EXAMPLES,
    MASH,
    MENTORS,
    POLICE,
    REFERRAL_ID,
    SCHOOL,
)
from scenarios import builder, steps
from scenarios.builder import Case
from scenarios.step import Part, Step
from scenarios.steps import ON_CONSENT, agency_ref
from tests import lifecycle
from tests.api_client import Api
from tests.lifecycle import at
from tests.sharing_support import AGENCY_TYPES
from tests.support import ACTORS, FixedClock, referral_form


@pytest.fixture
def backend() -> str:
    """A contract of the HTTP answers, not of storage: SQLite only."""
    return "sqlite"


class Story:
    """Sends examples as the documentation shows them, each as a step of the builder's HTTP
    driver, tracking what the placeholders stand for; checks that each was recorded as the
    events its answer names. The way between examples is the builder's."""

    def __init__(self, api: Api, clock: FixedClock) -> None:
        self.api = api
        self.clock = clock
        self.driver = api.driver()
        self.scenario = api.scenario(self.driver)
        self.sent: set[str] = set()

    def example(self, name: str, *, by: str, referral_id: UUID | None = None) -> Step:
        """The example as a step taken by `by`, its placeholders filled in and its version
        left to the driver (the one the story has reached)."""
        self.sent.add(name)
        text = json.dumps(EXAMPLES[name])
        for agency, placeholder in AGENCY_IDS.items():
            text = text.replace(placeholder, str(agency_id_for(agency)))
        if referral_id is not None:
            text = text.replace(REFERRAL_ID, str(referral_id))
        body: dict[str, Any] = json.loads(text)
        body.pop("expected_version", None)
        return Step(name, ACTORS[by], body)

    def receive(self) -> Case:
        case = self.scenario.case(self.example("receive_referral", by="triage-1"))
        assert self.api.history(case.referral_id)[-1]["event"] == "ReferralReceived"
        return case

    def received(self, form: dict[str, Any]) -> Case:
        """A referral that is no example, to walk to where an example is sent."""
        return self.scenario.case(steps.referral_received(form))

    def pack(self, case: Case) -> None:
        """The dispute pack's example: its answer is a ZIP, so it is sent as a client would."""
        self.api.scenario().register({"Norfolk County Council": "local_authority"})
        body = self.example("disclose_dispute_pack", by="dpo-1").fields
        answer = self.api.client.post(
            f"/referrals/{case.referral_id}/dispute-packs",
            json={**body, "expected_version": case.version},
            headers={**self.api.headers("dpo-1"), "Access-Purpose": "Section 7 dispute 1"},
        )
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"] == "application/zip"
        assert self.api.history(case.referral_id)[-1]["event"] == "DisputePackDisclosed"

    def send(self, name: str, case: Case, *, by: str) -> None:
        version = case.version
        case.then(self.example(name, by=by, referral_id=case.referral_id))
        answer = self.driver.answer
        assert answer["version"] == version + len(answer["events"])
        recorded = [event["event"] for event in self.api.history(case.referral_id)]
        assert recorded[-len(answer["events"]) :] == answer["events"], name

    def send_to_agency(self, name: str, agency: str, *, by: str) -> None:
        self.scenario.take(replace(self.example(name, by=by), about=agency_id_for(agency)))

    def register_agencies(self) -> str:
        """The example's agency and the story's others in the directory; the example's name."""
        example = self.example("register_agency", by="admin-1")
        name: str = example.fields["name"]
        assert self.scenario.take(example) == agency_id_for(name)
        others = {other: kind for other, kind in AGENCY_TYPES.items() if other != name}
        assert self.scenario.register(others) == {other: agency_id_for(other) for other in others}
        return name


def test_every_example_is_accepted_by_the_process_in_story_order(
    api: Api, clock: FixedClock
) -> None:
    story = Story(api, clock)
    mentors = story.register_agencies()
    story.send_to_agency("sign_isp", mentors, by="admin-1")

    disputed = screened_out_and_disputed(story)
    assert stage(api, disputed) == "screened_out"

    case = triaged_and_discussed(story)
    alternative = referred_elsewhere(story)
    assert stage(api, alternative) == "referred_to_alternative_support"

    supported_at_meeting(story, case)
    concluded_and_disposed(story, case)
    story.send_to_agency("lapse_isp", mentors, by="admin-1")
    entry = api.client.get(f"/agencies/{agency_id_for(mentors)}", headers=api.headers("admin-1"))
    assert entry.json()["signatures"][0]["isp_version"] == "NCCSP ISP v4", entry.text
    assert (entry.json()["lapses"], entry.json()["may_share_today"]) == (["2026-09-30"], False)

    held_reviewed_and_erased(story, case)
    witness_registered(story)
    assert story.sent == set(EXAMPLES), "the story sends every example"


def witness_registered(story: Story) -> None:
    """The administrator registers the police's witness key (no step of a referral)."""
    story.sent.add("register_witness")
    example = EXAMPLES["register_witness"]
    headers = story.api.headers("admin-1")
    answer = story.api.client.post("/witnesses", json=example, headers=headers)
    assert answer.status_code == 201, answer.text
    listed = story.api.client.get("/witnesses", headers=headers).json()["witnesses"]
    assert [(w["agency"], w["key"]) for w in listed] == [(example["agency"], example["key"])]


def stage(api: Api, referral_id: UUID) -> str:
    """The case view's stage, once it has seen everything recorded so far."""
    found: str = api.case(referral_id, after=api.log_position())["stage"]
    return found


def screened_out_and_disputed(story: Story) -> UUID:
    case = story.received(referral_form()).along(builder.ready_to_screen())
    story.send("screen_out", case, by="triage-1")
    story.send("raise_dispute", case, by="police-2")
    story.send("refer_dispute", case, by="triage-1")
    story.send("resolve_dispute", case, by="hos-1")
    story.pack(case)
    return case.referral_id


def triaged_and_discussed(story: Story) -> Case:
    case = story.receive()
    story.send("record_security_checks", case, by="triage-1")
    story.send("request_further_information", case, by="triage-1")
    story.clock.advance(hours=5)
    story.send("return_further_information", case, by="desk-1")
    story.send("screen_in", case, by="triage-1")
    story.send("schedule_strategy_discussion", case, by="police-1")
    at(story.clock, "2026-03-05T15:00:00")
    story.send("consult_referrer", case, by="police-1")
    story.send("record_risk_assessment", case, by="police-1")
    story.send("decide_consent_approach", case, by="police-1")
    story.send("disclose", case, by="police-1")
    story.send("conclude_strategy_discussion", case, by="police-1")
    story.send("sign_mash_decision", case, by="police-1")
    case.then(steps.mash_decision_signed(Part.CHILDRENS_SERVICES))
    at(story.clock, "2026-03-06T11:00:00")
    story.send("notify_referrer", case, by="triage-1")
    return case


def referred_elsewhere(story: Story) -> UUID:
    """A second child, where consent was sought and refused and the discussion found another
    provider better suited."""
    at(story.clock, "2026-03-05T09:00:00")
    case = story.received(referral_form(received_at="2026-03-05T08:00:00Z"))
    case.along(builder.to_strategy_discussion()).then(
        steps.consent_approach_decided("preliminary_assessment", seeker=CHILDRENS),
        steps.consent_sought(CHILDRENS),
    )
    story.send("record_consent_refused", case, by="cs-1")
    case.along(builder.to_signed("alternative_support"))
    at(story.clock, "2026-03-06T11:00:00")
    story.send("refer_to_alternative_support", case, by="triage-1")
    return case.referral_id


def supported_at_meeting(story: Story, case: Case) -> None:
    story.send("convene_strategy_meeting", case, by="chair-1")
    at(story.clock, "2026-03-10T09:00:00")
    case.then([steps.agency_invited(name) for name in (POLICE, CHILDRENS, SCHOOL)])
    story.send("invite_agency", case, by="chair-1")
    at(story.clock, "2026-03-12T10:05:00")
    story.send("read_confidentiality_statement", case, by="chair-1")
    case.then(steps.consent_approach_decided("panel", seeker=CHILDRENS))
    story.send("seek_consent", case, by="cs-1")
    story.send("record_consent_given", case, by="cs-1")
    school_share = steps.disclosed(
        SCHOOL, [], context="strategy_meeting", category="education", bases=ON_CONSENT
    ).but(
        to_meeting_attendees=True,
        need_to_know=[
            {"agency_id": agency_ref(name), "needs_to_know": True, "rationale": "Plan."}
            for name in (POLICE, CHILDRENS, MENTORS)
        ],
    )
    case.then(school_share)
    story.send("withhold", case, by="police-1")
    story.send("sanction_onward_disclosure", case, by="chair-1")
    story.send("decide_subject_discussion", case, by="school-1")
    story.send("conclude_strategy_meeting", case, by="chair-1")
    minuted_with_actions_followed(story, case)


def minuted_with_actions_followed(story: Story, case: Case) -> None:
    """The meeting recorded as section 6 runs it: attendance, minutes, their circulation,
    and the plan's actions followed to a review; the steps between examples are the story's."""
    story.scenario.register({MASH: "multi_agency_safeguarding_hub"})
    for name, by in (
        ("schedule_meeting", "chair-1"),
        ("record_attendance", "chair-1"),
        ("agree_action", "chair-1"),
        ("draft_minutes", "minutes-1"),
        ("approve_minutes", "chair-1"),
        ("circulate_minutes", "chair-1"),
    ):
        story.send(name, case, by=by)
    at(story.clock, "2026-03-26T12:00:00")
    story.send("note_action_progress", case, by="school-1")
    chair = ACTORS["chair-1"]
    second = {"meeting_no": 1, "lead_agency_id": str(agency_id_for(SCHOOL)), "owner": "dsl-2",
              "due_on": "2026-05-30", "description": "After-school club."}  # fmt: skip
    case.then(Step("agree_action", chair, second))
    at(story.clock, "2026-04-16T09:00:00")
    story.send("complete_action", case, by="school-1")
    review = {"kind": "review", "held_at": "2026-04-16T09:00:00Z", "place": "County Hall",
              "minute_taker": "minutes-1"}  # fmt: skip
    present = [{"attendee": "cs-1", "agency_id": str(agency_id_for(CHILDRENS)), "role": "SW"}]
    case.then(
        Step("schedule_meeting", chair, review),
        Step("record_attendance", chair, {"meeting_no": 2, "attendees": present}),
    )
    story.send("continue_actions", case, by="chair-1")
    story.send("drop_action", case, by="chair-1")


def concluded_and_disposed(story: Story, case: Case) -> None:
    at(story.clock, "2026-04-16T12:00:00")
    story.send("hold_review", case, by="chair-1")
    at(story.clock, "2026-05-01T12:00:00")
    story.send("record_consent_withdrawn", case, by="cs-1")
    at(story.clock, "2026-05-21T12:00:00")
    case.then(steps.reviewed("conclude").but(progress_notes="Settled."))
    at(story.clock, "2026-05-22T09:00:00")
    story.send("conclude_process", case, by="chair-1")
    lifecycle.feedback(story.api, story.clock, case.referral_id, "conclusion")
    at(story.clock, "2026-05-26T09:00:00")
    story.send("end_agency_involvement", case, by="triage-1")
    at(story.clock, "2026-06-02T09:00:00")
    story.send("confirm_disposal", case, by="cs-1")
    at(story.clock, "2026-11-23T09:00:00")
    story.send("record_post_exit_review", case, by="chair-1")
    assert stage(story.api, case.referral_id) == "concluded"


def held_reviewed_and_erased(story: Story, case: Case) -> None:
    api = story.api
    at(story.clock, "2026-12-01T09:00:00")
    story.send("place_legal_hold", case, by="dpo-1")
    story.send("lift_legal_hold", case, by="dpo-1")
    at(story.clock, "2032-05-24T09:00:00")
    story.send("review_retention", case, by="dpo-1")
    assert "Example-Fairweather" in json.dumps(api.history(case.referral_id, reveal=True))
    story.send("request_erasure", case, by="dpo-1")
    story.send("approve_erasure", case, by="dpo-2")
    story.send("execute_erasure", case, by="dpo-1")
    revealed = json.dumps(api.history(case.referral_id, reveal=True))
    assert "Example-Fairweather" not in revealed, "the example's subject is erased"
