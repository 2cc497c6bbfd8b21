"""Meetings as section 6 runs them, over HTTP on both stores: a strategy meeting and a review,
attendance (a police Sergeant and an unsigned voluntary group refused, storing nothing),
minutes drafted, approved, circulated and corrected, actions with lead agencies, and an
amendment to the subject's address shown with where it came from. Circulated minutes are a
disclosure: in each receiving agency's register and its section 8 obligations; an erasure
makes their text unreadable while the record of their circulation stays."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from scenarios import builder, steps
from tests.api_client import Api
from tests.section8_support import end_involvement, erase_case, obligations
from tests.sharing_support import (
    CHILDRENS,
    MENTORS,
    POLICE,
    SCHOOL,
    TODAY_BASES,
    register_agencies,
)
from tests.support import SUBJECT_ADDRESS, FixedClock, referral_form

MASH = "Norfolk MASH"
MINUTES_TEXT = "Minutes: the panel heard the school's account; the subject attends mentoring."
NEW_ADDRESS = {"lines": ["7 Elm Court", "Norwich"], "postcode": "NR2 4AB"}
PRINCIPLES = {
    "power_to_share": True,
    "necessary": True,
    "relevant": True,
    "proportionate": True,
    "non_discriminatory": True,
}
JUSTIFICATION = {
    "power_to_share": "Section 6: minutes go to those present.",
    "necessity": "Each agency delivers part of the plan.",
    "relevance": "Only what the meeting agreed.",
    "proportionality": "Attending agencies only.",
    "non_discrimination": "As for every case.",
}


def attendee(
    agencies: dict[str, UUID], who: str, agency: str, role: str, rank: str | None = None
) -> dict[str, Any]:
    found = {"attendee": who, "agency_id": str(agencies[agency]), "role": role}
    return found | ({"rank": rank} if rank else {})


def refused_storing_nothing(
    api: Api, referral_id: UUID, path: str, body: dict[str, Any], by: str, rule: str
) -> None:
    before = api.log_position()
    answer = api.send(referral_id, path, body, by=by)
    assert answer.status_code == 409, answer.text
    assert answer.json()["rule"] == rule
    assert api.log_position() == before, "a refusal stores nothing"


def circulation(agencies: dict[str, UUID], meeting_no: int, minutes_no: int) -> dict[str, Any]:
    return {
        "meeting_no": meeting_no,
        "minutes_no": minutes_no,
        "disclosing_agency_id": str(agencies[MASH]),
        "legal_basis_ids": list(TODAY_BASES),
        "principles": PRINCIPLES,
        "justification": JUSTIFICATION,
        "public_interest": {
            "grounds": ["protection_of_vulnerable_members_of_the_community"],
            "consent_considered": True,
            "overrides_confidentiality_and_privacy": True,
        },
        "public_interest_reasoning": "Consent would prejudice the support package.",
        "particularly_sensitive": True,
        "handling_advice": "Keep with the case file; destroy when involvement ends.",
    }


@dataclass
class Meeting:
    """A case at its strategy meeting, and the people who attend its meetings."""

    api: Api
    clock: FixedClock
    agencies: dict[str, UUID]
    referral_id: UUID

    def person(self, key: str) -> dict[str, Any]:
        a = self.agencies
        return {
            "school": attendee(a, "school-1", SCHOOL, "Designated Safeguarding Lead"),
            "childrens": attendee(a, "cs-1", CHILDRENS, "Social worker"),
            "sergeant": attendee(a, "ps-4471", POLICE, "Prevent officer", "sergeant"),
            "inspector": attendee(a, "di-2210", POLICE, "VPD officer", "inspector"),
            "mentors": attendee(a, "mentor-1", MENTORS, "Mentor"),
        }[key]

    def ok(self, path: str, body: dict[str, Any], by: str = "chair-1") -> None:
        self.api.ok(self.referral_id, path, body, by=by)

    def refused(self, path: str, body: dict[str, Any], rule: str, by: str = "chair-1") -> None:
        refused_storing_nothing(self.api, self.referral_id, path, body, by, rule)

    def today(self) -> str:
        return self.clock.now().date().isoformat()

    def revealed_history(self) -> list[dict[str, Any]]:
        answer = self.api.client.get(
            f"/referrals/{self.referral_id}/history",
            params={"reveal": True},
            headers={**self.api.headers("dpo-1"), "Access-Purpose": "Meeting test"},
        )
        events: list[dict[str, Any]] = answer.json()["events"]
        return events


def test_two_meetings_minutes_actions_and_an_amendment(api: Api, clock: FixedClock) -> None:
    agencies = register_agencies(api)
    agencies.update(api.scenario().register({MASH: "multi_agency_safeguarding_hub"}))
    case = api.scenario().case(steps.referral_received(referral_form()))
    case = case.along(builder.to_strategy_meeting())
    meeting = Meeting(api, clock, agencies, case.referral_id)
    strategy_meeting_attended(meeting)
    minutes_drafted_approved_circulated_and_corrected(meeting)
    the_view_shows_it_all_without_personal_data(meeting)
    circulated_minutes_are_a_disclosure(meeting)
    a_review_keeps_the_action_until_done(meeting)
    erasure_leaves_the_circulation_on_record(meeting)


def strategy_meeting_attended(meeting: Meeting) -> None:
    """A Sergeant alone, or an agency without the ISP, is refused and nothing is stored."""
    meeting.ok("meetings", {
        "kind": "strategy_meeting", "held_at": meeting.clock.now().isoformat(),
        "place": "County Hall, room 3", "minute_taker": "minutes-1",
    })  # fmt: skip
    meeting.clock.advance(hours=2)
    school, childrens = meeting.person("school"), meeting.person("childrens")
    meeting.refused("meetings/attendance", {
        "meeting_no": 1, "attendees": [meeting.person("sergeant"), school, childrens],
    }, "police-attendee-rank")  # fmt: skip
    inspector = meeting.person("inspector")
    meeting.refused("meetings/attendance", {
        "meeting_no": 1, "attendees": [inspector, meeting.person("mentors")],
    }, "isp-signature-required")  # fmt: skip
    meeting.ok("meetings/attendance", {
        "meeting_no": 1, "attendees": [inspector, school, childrens],
        "apology_agency_ids": [str(meeting.agencies[MENTORS])], "referrer": "consulted",
    })  # fmt: skip
    unknown_lead = meeting.api.send(meeting.referral_id, "actions", {
        "meeting_no": 1, "lead_agency_id": str(UUID(int=7)), "owner": "school-1",
        "due_on": "2026-04-30", "description": "Weekly mentoring sessions at school.",
    }, by="chair-1")  # fmt: skip
    assert unknown_lead.status_code == 422, "no action without a lead agency of the directory"
    meeting.ok("actions", {
        "meeting_no": 1, "lead_agency_id": str(meeting.agencies[SCHOOL]), "owner": "school-1",
        "due_on": "2026-04-30", "description": "Weekly mentoring sessions at school.",
    })  # fmt: skip


def minutes_drafted_approved_circulated_and_corrected(meeting: Meeting) -> None:
    meeting.clock.advance(days=1)
    day = meeting.today()
    draft = {
        "meeting_no": 1, "drafted_on": day, "text": MINUTES_TEXT, "statement_recorded": True,
        "agreed_action_nos": [1], "amendments": [{"field": "address", "amended": NEW_ADDRESS}],
    }  # fmt: skip
    not_the_taker = meeting.api.send(meeting.referral_id, "minutes", draft, by="chair-1")
    assert not_the_taker.status_code == 403, "the chair is not the minute-taker"
    meeting.ok("minutes", draft, by="minutes-1")
    first = circulation(meeting.agencies, 1, 1)
    meeting.refused("minutes/circulation", first, "minutes-approved-before-circulation")
    meeting.ok("minutes/approval", {"meeting_no": 1, "minutes_no": 1, "approved_on": day})
    meeting.ok("minutes/circulation", first)
    # A correction after circulation is a new version, never an edit.
    corrected = MINUTES_TEXT + " Corrected: attended by Children's Services."
    meeting.ok(
        "minutes", {**draft, "amendments": [], "corrects": 1, "text": corrected}, by="minutes-1"
    )
    meeting.ok("minutes/approval", {"meeting_no": 1, "minutes_no": 2, "approved_on": day})
    meeting.ok("minutes/circulation", circulation(meeting.agencies, 1, 2))
    progress = {"action_no": 1, "noted_on": day, "note": "Two sessions held."}
    meeting.ok("actions/progress", progress, by="school-1")


def the_view_shows_it_all_without_personal_data(meeting: Meeting) -> None:
    api = meeting.api
    view = api.case(meeting.referral_id, after=api.log_position())
    (held,) = view["meetings"]
    assert [a["rank"] for a in held["attendees"]] == ["inspector", None, None]
    assert [(m["minutes_no"], m["corrects"], m["disclosure_no"]) for m in held["minutes"]] == [
        (1, None, 1),
        (2, 1, 2),
    ]
    assert [(a["field"], a["meeting_no"], a["minutes_no"]) for a in view["amendments"]] == [
        ("address", 1, 1)
    ]
    (action,) = view["actions"]
    assert (action["lead_agency"]["name"], action["status"], action["progress_notes"]) == (
        SCHOOL,
        "open",
        1,
    )
    assert MINUTES_TEXT not in str(view)
    assert NEW_ADDRESS["lines"][0] not in str(view)
    (amended,) = [e for e in meeting.revealed_history() if e["event"] == "BasicInformationAmended"]
    assert amended["data"]["previous"]["lines"][0] == SUBJECT_ADDRESS
    assert amended["data"]["amended"] == NEW_ADDRESS


def circulated_minutes_are_a_disclosure(meeting: Meeting) -> None:
    """In each receiving agency's register, and its section 8 obligations once it leaves."""
    api, school = meeting.api, meeting.agencies[SCHOOL]
    register = api.client.get(
        f"/agencies/{school}/disclosure-register",
        params={"after_position": api.log_position()},
        headers=api.headers("dpo-1"),
    ).json()["rows"]
    minutes_rows = [r for r in register if r["information_category"] == "meeting_minutes"]
    assert [(r["direction"], r["disclosure_no"]) for r in minutes_rows] == [
        ("received", 1),
        ("received", 2),
    ]
    end_involvement(api, meeting.clock, meeting.referral_id, school, meeting.today())
    owed = {
        (row["referral_id"], row["disclosure_no"])
        for row in obligations(api, agency_id=str(school))
    }
    assert {(str(meeting.referral_id), 1), (str(meeting.referral_id), 2)} <= owed


def a_review_keeps_the_action_until_done(meeting: Meeting) -> None:
    meeting.clock.advance(days=30)
    meeting.ok("meetings", {
        "kind": "review", "held_at": meeting.clock.now().isoformat(),
        "place": "County Hall, room 3", "minute_taker": "minutes-1",
    })  # fmt: skip
    meeting.clock.advance(hours=1)
    present = [meeting.person("inspector"), meeting.person("childrens")]
    meeting.ok("meetings/attendance", {"meeting_no": 2, "attendees": present})
    meeting.ok("actions/continuation", {"meeting_no": 2, "action_nos": [1]})
    meeting.ok("actions/completion", {"action_no": 1, "done_on": meeting.today()}, by="school-1")
    drop = {"action_no": 1, "dropped_on": meeting.today(), "reason": "Too late."}
    meeting.refused("actions/drop", drop, "action-open")
    (action,) = meeting.api.case(meeting.referral_id, after=meeting.api.log_position())["actions"]
    assert (action["status"], action["continued_at"]) == ("done", [2])
    school_sees_its_own_part(meeting)


def school_sees_its_own_part(meeting: Meeting) -> None:
    """Need to know: the school sees the meeting it attended (not the review it did not),
    and the action it leads."""
    api, path = meeting.api, f"/referrals/{meeting.referral_id}"
    school = api.client.get(path, headers=api.headers("school-1")).json()["case"]
    assert [m["meeting_no"] for m in school["meetings"]] == [1]
    assert [a["action_no"] for a in school["actions"]] == [1]
    history = api.client.get(f"{path}/history", headers=api.headers("school-1")).json()
    seen = [(e["event"], e["data"].get("meeting_no")) for e in history["events"]]
    assert ("MeetingAttendanceRecorded", 1) in seen
    assert ("MeetingAttendanceRecorded", 2) not in seen, "a review the school did not attend"
    assert ("MinutesCirculated", 1) in seen


def erasure_leaves_the_circulation_on_record(meeting: Meeting) -> None:
    erase_case(meeting.api, meeting.referral_id)
    after = meeting.revealed_history()
    texts = [e["data"]["text"] for e in after if e["event"] == "MinutesDrafted"]
    assert [text["withheld"] for text in texts] == ["erased", "erased"]
    assert MINUTES_TEXT not in str(after)
    assert len([e for e in after if e["event"] == "MinutesCirculated"]) == 2
