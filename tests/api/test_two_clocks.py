"""Two clocks over HTTP, on both stores: a concluding review entered three weeks after it was
held agreed the exit on the day it was held, so the conclusion may be dated that day and the
post-exit reviews fall due from it; a post-exit review before it is due is refused with its
rule unless marked early with a reason; and the late entry shows as back-dated. The case view
shows both clocks of the exit and which post-exit reviews were early."""

from __future__ import annotations

import json
from datetime import date
from uuid import UUID

from scenarios import steps
from tests import lifecycle
from tests.api_client import Api
from tests.lifecycle import at, case_of
from tests.support import FixedClock


def supported_case(api: Api, clock: FixedClock) -> UUID:
    referral_id = lifecycle.triage(api, clock)
    lifecycle.strategy_discussion(api, clock, referral_id)
    lifecycle.section_2_signatures(api, referral_id)
    case = case_of(api, referral_id).then(steps.meeting_convened("2026-03-12T10:00:00Z"))
    at(clock, "2026-03-12T12:00:00")
    case.then(steps.meeting_held().but(actions=lifecycle.ACTIONS, review_on="2026-04-16"))
    return referral_id


def test_the_exit_follows_the_review_day_and_early_reviews_need_a_reason(
    api: Api, clock: FixedClock
) -> None:
    referral_id = supported_case(api, clock)
    at(clock, "2026-05-12T15:00:00")  # entered three weeks after the review was held
    review = steps.reviewed("conclude").but(held_on="2026-04-21", progress_notes="Settled.")
    case = case_of(api, referral_id).then(review)
    case.then(steps.process_concluded().but(concluded_on="2026-04-21"))
    (concluded,) = [e["data"] for e in api.history(referral_id) if e["event"] == "ProcessConcluded"]
    assert (concluded["concluded_on"], concluded["six_month_review_due_on"]) == (
        "2026-04-21",
        "2026-10-21",
    )

    path = f"/referrals/{referral_id}/post-exit-reviews"
    body = {
        "review_point": "six_months",
        "reviewed_on": "2026-05-12",
        "outcome": "no_further_concern",
    }
    version = api.versions[referral_id]
    premature = api.client.post(
        path, json={**body, "expected_version": version}, headers=api.headers("chair-1")
    )
    assert premature.status_code == 409, premature.text
    assert premature.json()["rule"] == "post-exit-review-not-yet-due"
    early = {**body, "expected_version": version, "early_reason": "The family moves abroad."}
    accepted = api.client.post(path, json=early, headers=api.headers("chair-1"))
    assert accepted.status_code == 200, accepted.text

    changes = api.client.get(
        f"/referrals/{referral_id}/changes",
        params={"from": "2026-05-12T00:00:00+01:00"},
        headers=api.headers("dpo-1"),
    ).json()["changes"]
    late = {c["event"]: c["recorded_days_after"] for c in changes if c["back_dated"]}
    assert late == {"ReviewHeld": 21, "ProcessConcluded": 21}
    assert date.fromisoformat(changes[-1]["effective_on"]) == date(2026, 5, 12)


def test_the_case_view_shows_the_day_a_late_entered_meeting_agreed_the_exit(
    api: Api, clock: FixedClock
) -> None:
    """The meeting of 12 March agreed the exit, though its outcome was typed on the 17th: the
    case view shows the day the exit counts from beside the moment it was recorded."""
    referral_id = lifecycle.exit_agreed_at_a_back_dated_meeting(api, clock)

    view = api.case(referral_id, after=api.log_position())
    assert view["exit_agreed"] == {
        "kind": "conclusion",
        "forum": "strategy_meeting",
        "agreed_at": "2026-03-17T16:00:00Z",
        "agreed_on": "2026-03-12",
    }
    assert view["closure"]["closed_on"] == "2026-03-12"


def test_the_case_view_shows_an_early_post_exit_review_as_early_with_its_reason_recorded(
    api: Api, clock: FixedClock
) -> None:
    """A post-exit review held before it was due shows as early, with a reason recorded; the
    reason itself is personal data and stays sealed in the event. One held when due is not
    early."""
    reason = "The family moves abroad."
    referral_id = lifecycle.exit_agreed_at_a_back_dated_meeting(api, clock)
    case = case_of(api, referral_id)
    at(clock, "2026-04-01T09:00:00")  # the six-month review falls due on 12 September
    case.then(steps.post_exit_reviewed("six_months").but(early_reason=reason))
    at(clock, "2027-03-15T09:00:00")
    case.then(steps.post_exit_reviewed("twelve_months"))

    view = api.case(referral_id, after=api.log_position())
    early, when_due = view["closure"]["post_exit_reviews"]
    assert (early["reviewed_on"], early["early"], early["early_reason_recorded"]) == (
        "2026-04-01",
        True,
        True,
    )
    assert (when_due["early"], when_due["early_reason_recorded"]) == (False, False)
    assert reason not in json.dumps(view)
    revealed = api.history(referral_id, reveal=True)
    assert [
        e["data"]["early_reason"] for e in revealed if e["event"] == "PostExitReviewRecorded"
    ] == [
        reason,
        None,
    ]
