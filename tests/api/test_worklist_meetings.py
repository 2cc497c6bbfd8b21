"""The meetings' deadlines through the real steps, over HTTP: a strategy meeting on Christmas
Eve 2026 puts its action points due on Tuesday 29 December and its minutes on Tuesday 5
January (Christmas Day, the Boxing Day holiday and New Year's Day are not working days); an
action agreed there is due on its own date. Circulated on the 30th: action points late,
minutes in time; the action done after its date: late."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from scenarios import builder, steps
from tests.api.test_meetings import MASH, MINUTES_TEXT, Meeting, circulation
from tests.api_client import Api
from tests.sharing_support import SCHOOL, register_agencies
from tests.support import FixedClock, referral_form

CHAIRS = {"role": "meeting_chair"}


def worklist(api: Api, **params: Any) -> dict[str, tuple[str, str, str]]:
    """code → (anchor, due, status) of what is due and overdue, read by the head of
    safeguarding (who sees every agency)."""
    answer = api.client.get("/worklist", params=params, headers=api.headers("hos-1"))
    assert answer.status_code == 200, answer.text
    return {
        item["code"]: (item["anchor_on"], item["due_on"], item["status"])
        for item in answer.json()["items"]
    }


def timeliness(api: Api, agency_id: UUID) -> dict[str, dict[str, int]]:
    period = {"from": "2026-12-01", "to": "2027-01-31"}
    answer = api.client.get("/timeliness", params=period, headers=api.headers("hos-1"))
    assert answer.status_code == 200, answer.text
    (agency,) = [a for a in answer.json()["agencies"] if a["agency_id"] == str(agency_id)]
    return {kind["code"]: kind for kind in agency["kinds"]}


def test_a_meeting_on_christmas_eve(api: Api, clock: FixedClock) -> None:
    agencies = register_agencies(api)
    agencies.update(api.scenario().register({MASH: "multi_agency_safeguarding_hub"}))
    clock.moment = datetime(2026, 12, 14, 9, tzinfo=UTC)
    case = api.scenario().case(steps.referral_received(referral_form()))
    case.along(builder.to_strategy_meeting())
    clock.moment = datetime(2026, 12, 24, 10, tzinfo=UTC)
    meeting = Meeting(api, clock, agencies, case.referral_id)
    meeting.ok(
        "meetings",
        {
            "kind": "strategy_meeting",
            "held_at": clock.now().isoformat(),
            "place": "County Hall",
            "minute_taker": "minutes-1",
        },
    )
    clock.advance(hours=2)
    present = [meeting.person(key) for key in ("inspector", "school", "childrens")]
    meeting.ok("meetings/attendance", {"meeting_no": 1, "attendees": present})
    meeting.ok(
        "actions",
        {
            "meeting_no": 1,
            "lead_agency_id": str(agencies[SCHOOL]),
            "owner": "school-1",
            "due_on": "2027-01-08",
            "description": "Weekly mentoring sessions.",
        },
    )

    mash = {"agency_id": str(agencies[MASH]), **CHAIRS}
    assert worklist(api, **mash) == {
        "action-points-circulated": ("2026-12-24", "2026-12-29", "open"),
        "minutes-circulated": ("2026-12-24", "2027-01-05", "open"),
    }
    assert worklist(api, agency_id=str(agencies[SCHOOL])) == {
        "action-done": ("2026-12-24", "2027-01-08", "open")
    }

    clock.moment = datetime(2026, 12, 30, 15, tzinfo=UTC)
    assert worklist(api, **mash)["action-points-circulated"][2] == "overdue"
    day = meeting.today()
    meeting.ok(
        "minutes",
        {
            "meeting_no": 1,
            "drafted_on": day,
            "text": MINUTES_TEXT,
            "statement_recorded": True,
            "agreed_action_nos": [1],
        },
        by="minutes-1",
    )
    meeting.ok("minutes/approval", {"meeting_no": 1, "minutes_no": 1, "approved_on": day})
    meeting.ok("minutes/circulation", circulation(agencies, 1, 1))
    assert worklist(api, **mash) == {}
    kept = timeliness(api, agencies[MASH])
    assert (kept["action-points-circulated"]["late"], kept["minutes-circulated"]["met"]) == (1, 1)

    clock.moment = datetime(2027, 1, 11, 10, tzinfo=UTC)
    assert worklist(api, agency_id=str(agencies[SCHOOL]))["action-done"][2] == "overdue"
    meeting.ok("actions/completion", {"action_no": 1, "done_on": "2027-01-11"}, by="school-1")
    assert timeliness(api, agencies[SCHOOL])["action-done"]["late"] == 1
