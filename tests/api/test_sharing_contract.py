"""The sharing routes as a contract: an accepted step answers as documented, a refused one
answers problem+json with its status and stores nothing but, for a refused attempt to share,
the record of it. The rules themselves are specified in tests/rules/test_sharing.py and
tests/rules/test_consent.py; here on SQLite only (persistence is tested in tests/integration)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest

from tests.api_client import Api
from tests.sharing_support import (
    CHILDRENS,
    MENTORS,
    POLICE,
    SCHOOL,
    at_discussion,
    at_meeting,
    disclosure,
    refused,
    register_agencies,
    send,
    sharing_record,
    sign_isp,
)
from tests.support import FixedClock, find_personal_data


@pytest.fixture
def backend() -> str:
    return "sqlite"


@pytest.fixture
def agencies(api: Api) -> dict[str, UUID]:
    return register_agencies(api)


def test_an_ngo_is_invited_and_told_only_while_the_directory_shows_its_signature(
    api: Api, clock: FixedClock, agencies: dict[str, UUID]
) -> None:
    """The sharing steps read each agency's ISP standing from the directory on the day: refusals
    are recorded as refused attempts, and the directory shows the standing."""
    referral_id = at_meeting(api, clock, agencies)
    mentors = agencies[MENTORS]
    invitation = {"agency_id": str(mentors)}
    to_mentors = disclosure(agencies[POLICE], [mentors], context="strategy_meeting")

    def invite() -> Any:
        return send(api, referral_id, "strategy-meeting/invitations", invitation, "chair-1")

    refused(api, referral_id, invite(), 409, "isp-signature-required", recorded=True)
    sharing = send(api, referral_id, "disclosures", to_mentors, "police-1")
    problem = refused(api, referral_id, sharing, 409, "isp-signature-required", recorded=True)
    assert problem["stage"] == "strategy_meeting"
    assert problem["type"].startswith("urn:vtr-ledger:problem:")

    assert sign_isp(api, mentors).status_code == 200
    entry = api.client.get(f"/agencies/{mentors}", headers=api.headers("triage-1")).json()
    assert (entry["isp_required"], entry["may_share_today"]) == (True, True)
    assert api.ok(referral_id, "strategy-meeting/invitations", invitation, by="chair-1")[
        "events"
    ] == ["AgencyInvitedToStrategyMeeting"]
    api.ok(referral_id, "disclosures", to_mentors, by="police-1")

    lapse = {"expected_version": 2, "lapsed_on": "2026-03-12", "reason": "Withdrew"}
    lapsed = api.client.post(
        f"/agencies/{mentors}/isp-lapses", headers=api.headers("triage-1"), json=lapse
    )
    assert lapsed.status_code == 200, lapsed.text
    sharing = send(api, referral_id, "disclosures", to_mentors, "police-1")
    refused(api, referral_id, sharing, 409, "isp-signature-required", recorded=True)


def test_the_agency_directory_refuses_with_problems_and_stores_nothing(
    api: Api, agencies: dict[str, UUID]
) -> None:
    mentors = agencies[MENTORS]
    position = api.log_position()
    lapse = api.client.post(
        f"/agencies/{mentors}/isp-lapses",
        headers=api.headers("triage-1"),
        json={"expected_version": 1, "lapsed_on": "2026-03-01", "reason": "x"},
    )
    assert (lapse.status_code, lapse.json()["rule"]) == (409, "no-isp-signature-to-lapse")
    backwards = sign_isp(api, mentors, effective_from="2026-05-01", effective_until="2026-04-01")
    assert backwards.status_code == 422
    assert backwards.json()["errors"][0]["field"] == "effective_until"
    unknown_type = api.client.post(
        "/agencies", json={"name": "X", "agency_type": "bakery"}, headers=api.headers("triage-1")
    )
    assert unknown_type.status_code == 422
    assert api.log_position() == position


def test_a_disclosure_answers_its_events_and_names_each_invalid_field(
    api: Api, clock: FixedClock, agencies: dict[str, UUID]
) -> None:
    """An invalid disclosure is refused naming the field, nothing recorded, not even an attempt."""
    referral_id = at_discussion(api, clock)
    base = disclosure(agencies[POLICE], [agencies[CHILDRENS]])
    invalid: list[tuple[dict[str, Any], str]] = [
        ({"justification": {"necessity": "x"}}, "body.justification.power_to_share"),
        ({"principles": {"necessary": True}}, "body.principles.power_to_share"),
        ({"need_to_know": []}, "body.need_to_know"),
        ({"purpose": "marketing"}, "body.purpose"),
        ({"to_meeting_attendees": True}, "body"),
        ({"handling_advice": ""}, "body.handling_advice"),
        ({"information_category": "gossip"}, "information_category"),
        ({"disclosed_at": "2026-03-06T09:00:00Z"}, "disclosed_at"),
        ({"legal_basis_ids": ["uk.made-up"]}, "legal_basis_ids"),
        ({"public_interest": None}, "public_interest"),
    ]
    for change, field in invalid:
        attempt = send(api, referral_id, "disclosures", {**base, **change}, "police-1")
        problem = refused(api, referral_id, attempt, 422)
        assert field in {error["field"] for error in problem["errors"]}, change
    accepted = api.ok(referral_id, "disclosures", base, by="police-1")
    assert accepted["events"] == ["InformationDisclosed"]


def test_a_refused_disclosure_is_recorded_as_an_attempt_with_its_rule(
    api: Api, clock: FixedClock, agencies: dict[str, UUID]
) -> None:
    referral_id = at_discussion(api, clock)
    base = disclosure(agencies[POLICE], [agencies[CHILDRENS]])
    unaffirmed = {**base, "principles": {**base["principles"], "necessary": False}}
    attempt = send(api, referral_id, "disclosures", unaffirmed, "police-1")
    problem = refused(api, referral_id, attempt, 409, "section-3-principles", recorded=True)
    assert "necessary, relevant" in problem["detail"]
    by_childrens = send(api, referral_id, "disclosures", base, "cs-1")
    refused(api, referral_id, by_childrens, 403, "disclosing-agency-decides", recorded=True)


def test_consent_steps_answer_their_events_and_refusals_store_nothing(
    api: Api, clock: FixedClock, agencies: dict[str, UUID]
) -> None:
    referral_id = at_discussion(api, clock)
    childrens = str(agencies[CHILDRENS])
    seek = {"seeker_agency_id": childrens, "sought_on": "2026-03-05"}
    attempt = send(api, referral_id, "consent/sought", seek, "cs-1")
    refused(api, referral_id, attempt, 409, "consent-decision-first")
    approach = {"stage": "preliminary_assessment", "seek": True, "seeker_agency_id": childrens}
    assert api.ok(referral_id, "consent/approach", approach, by="police-1")["events"] == [
        "ConsentApproachDecided"
    ]
    api.ok(referral_id, "consent/sought", seek, by="cs-1")
    given = {
        "given_by": "parent_or_carer",
        "freely_given": True,
        "informed_of_who_and_why": True,
        "given_on": "2026-03-05",
    }
    missing = send(api, referral_id, "consent/given", given, "cs-1")
    problem = refused(api, referral_id, missing, 422)
    assert problem["errors"][0]["field"] == "body.told_can_withdraw"
    api.ok(referral_id, "consent/given", {**given, "told_can_withdraw": True}, by="cs-1")
    on_consent = {
        **disclosure(agencies[POLICE], [agencies[CHILDRENS]], information_category="education"),
        "legal_basis_ids": ["uk.consent-art6-1a"],
        "public_interest": None,
        "public_interest_reasoning": None,
    }
    accepted = api.ok(referral_id, "disclosures", on_consent, by="police-1")
    disclosed = next(
        e for e in sharing_record(api, referral_id) if e["event"] == "InformationDisclosed"
    )
    assert disclosed["position"] == accepted["position"]
    assert (disclosed["data"]["relies_on_consent"], disclosed["data"]["consent_status"]) == (
        True,
        "given",
    )


def test_meeting_steps_show_on_the_case_view(
    api: Api, clock: FixedClock, agencies: dict[str, UUID]
) -> None:
    """Onward sanction and the owner's decision on discussing it with the subject appear on the
    disclosure's summary; refusals (403 for the wrong agency, 422 for an unknown number) store
    nothing."""
    referral_id = at_meeting(api, clock, agencies)
    police, school = agencies[POLICE], agencies[SCHOOL]
    api.ok(
        referral_id,
        "disclosures",
        disclosure(police, [school], context="strategy_meeting"),
        by="police-1",
    )
    onward = {"disclosure_no": 1, "to_bodies": ["MAPPA panel"], "official_purpose": "Risk."}
    api.ok(referral_id, "disclosures/onward-sanctions", onward, by="chair-1")
    unknown = {**onward, "disclosure_no": 9}
    attempt = send(api, referral_id, "disclosures/onward-sanctions", unknown, "chair-1")
    assert refused(api, referral_id, attempt, 422)["errors"][0]["field"] == "disclosure_no"
    decision = {"disclosure_no": 1, "decision": "refused"}
    attempt = send(api, referral_id, "disclosures/subject-discussion", decision, "cs-1")
    refused(api, referral_id, attempt, 403, "owner-decides-subject-discussion")
    api.ok(referral_id, "disclosures/subject-discussion", decision, by="police-1")
    summary = api.case(referral_id, after=api.log_position())["disclosures"][0]
    assert (summary["onward_sanctioned"], summary["subject_discussion"]) == (True, "refused")


def test_a_withheld_disclosure_is_on_the_sharing_record(
    api: Api, clock: FixedClock, agencies: dict[str, UUID]
) -> None:
    referral_id = at_discussion(api, clock)
    withheld = {
        "withholding_agency_id": str(agencies[POLICE]),
        "information_category": "police_intelligence",
        "reason": "would_prejudice_an_investigation",
        "requesting_agency_id": str(agencies[CHILDRENS]),
    }
    attempt = send(api, referral_id, "disclosures/withheld", withheld, "cs-1")
    refused(api, referral_id, attempt, 403, "disclosing-agency-decides")
    api.ok(referral_id, "disclosures/withheld", withheld, by="police-1")
    entry = sharing_record(api, referral_id)[-1]
    assert entry["event"] == "DisclosureWithheld"
    assert entry["data"]["reason"] == "would_prejudice_an_investigation"


def test_the_sharing_record_opens_content_only_when_asked(
    api: Api, clock: FixedClock, agencies: dict[str, UUID]
) -> None:
    referral_id = at_discussion(api, clock)
    body = disclosure(agencies[POLICE], [agencies[CHILDRENS]])
    api.ok(referral_id, "disclosures", body, by="police-1")
    sealed = sharing_record(api, referral_id)[-1]["data"]
    assert sealed["content"]["withheld"] == "sealed"
    assert sealed["justification"]["withheld"] == "sealed"
    assert sealed["legal_bases"][0]["entry_id"] == body["legal_basis_ids"][0]
    revealed = api.client.get(
        f"/referrals/{referral_id}/sharing",
        params={"reveal": True},
        headers=api.headers("triage-1"),
    ).json()["entries"][-1]["data"]
    assert revealed["content"] == body["content"]
    assert revealed["justification"]["necessity"] == body["justification"]["necessity"]
    assert find_personal_data(str(sealed)) == []
