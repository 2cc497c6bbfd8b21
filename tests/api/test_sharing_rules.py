"""Every rule of lawful sharing, through the HTTP API: refused with the rule in words (409) or
the missing field (422), storing nothing but, for a refused attempt, the record of it."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest

from tests.api_client import Api
from tests.lifecycle import at
from tests.sharing_support import (
    ADULTS,
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
from tests.support import FixedClock, find_personal_data, referral_form

# Each rule runs on both stores: a refusal must leave the same trace, and nothing else, on each.


@pytest.fixture
def agencies(api: Api) -> dict[str, UUID]:
    return register_agencies(api)


class TestTheInformationSharingProtocol:
    def test_an_ngo_is_invited_and_told_only_while_its_signature_is_valid(
        self, api: Api, clock: FixedClock, agencies: dict[str, UUID]
    ) -> None:
        referral_id = at_meeting(api, clock, agencies)
        mentors = agencies[MENTORS]
        refused(
            api,
            referral_id,
            send(
                api,
                referral_id,
                "strategy-meeting/invitations",
                {"agency_id": str(mentors)},
                "chair-1",
            ),
            409,
            "isp-signature-required",
            recorded=True,
        )
        to_mentors = disclosure(agencies[POLICE], [mentors], context="strategy_meeting")
        refused(
            api,
            referral_id,
            send(api, referral_id, "disclosures", to_mentors, "police-1"),
            409,
            "isp-signature-required",
            recorded=True,
        )

        assert sign_isp(api, mentors).status_code == 200
        api.ok(
            referral_id, "strategy-meeting/invitations", {"agency_id": str(mentors)}, by="chair-1"
        )
        api.ok(referral_id, "disclosures", to_mentors, by="police-1")

        lapse = api.client.post(
            f"/agencies/{mentors}/isp-lapses",
            headers=api.headers("triage-1"),
            json={"expected_version": 2, "lapsed_on": "2026-03-12", "reason": "Withdrew"},
        )
        assert lapse.status_code == 200, lapse.text
        refused(
            api,
            referral_id,
            send(api, referral_id, "disclosures", to_mentors, "police-1"),
            409,
            "isp-signature-required",
            recorded=True,
        )

    def test_a_signature_counts_only_between_its_dates(
        self, api: Api, agencies: dict[str, UUID]
    ) -> None:
        mentors = agencies[MENTORS]
        assert sign_isp(api, mentors, effective_from="2026-04-01").status_code == 200
        entry = api.client.get(f"/agencies/{mentors}", headers=api.headers("triage-1")).json()
        assert (entry["isp_valid_today"], entry["may_share_today"]) == (False, False)
        assert (
            sign_isp(
                api, mentors, effective_from="2025-01-01", effective_until="2026-02-28"
            ).status_code
            == 200
        )
        entry = api.client.get(f"/agencies/{mentors}", headers=api.headers("triage-1")).json()
        assert entry["isp_valid_today"] is False, "expired on 28 February; today is 2 March"
        school = api.client.get(
            f"/agencies/{agencies[SCHOOL]}", headers=api.headers("triage-1")
        ).json()
        assert (school["isp_required"], school["may_share_today"]) == (False, True)

    def test_a_lapse_needs_a_valid_signature_and_a_signature_sensible_dates(
        self, api: Api, agencies: dict[str, UUID]
    ) -> None:
        mentors = agencies[MENTORS]
        position = api.log_position()
        lapse = api.client.post(
            f"/agencies/{mentors}/isp-lapses",
            headers=api.headers("triage-1"),
            json={"expected_version": 1, "lapsed_on": "2026-03-01", "reason": "x"},
        )
        assert lapse.status_code == 409
        assert lapse.json()["rule"] == "no-isp-signature-to-lapse"
        backwards = sign_isp(
            api, mentors, effective_from="2026-05-01", effective_until="2026-04-01"
        )
        assert backwards.status_code == 422
        assert backwards.json()["errors"][0]["field"] == "effective_until"
        unknown_type = api.client.post(
            "/agencies",
            json={"name": "X", "agency_type": "bakery"},
            headers=api.headers("triage-1"),
        )
        assert unknown_type.status_code == 422
        assert api.log_position() == position

    def test_an_agency_is_invited_once(
        self, api: Api, clock: FixedClock, agencies: dict[str, UUID]
    ) -> None:
        referral_id = at_meeting(api, clock, agencies)
        refused(
            api,
            referral_id,
            send(
                api,
                referral_id,
                "strategy-meeting/invitations",
                {"agency_id": str(agencies[SCHOOL])},
                "chair-1",
            ),
            409,
            "already-invited",
            recorded=True,
        )


class TestLegalBases:
    def test_unknown_entries_are_named_and_nothing_is_recorded(
        self, api: Api, clock: FixedClock, agencies: dict[str, UUID]
    ) -> None:
        referral_id = at_discussion(api, clock)
        body = disclosure(agencies[POLICE], [agencies[CHILDRENS]], legal_basis_ids=["uk.made-up"])
        problem = refused(
            api, referral_id, send(api, referral_id, "disclosures", body, "police-1"), 422
        )
        assert problem["errors"][0]["field"] == "legal_basis_ids"

    def test_an_entry_not_in_force_on_the_day_is_refused_and_recorded(
        self, api: Api, clock: FixedClock, agencies: dict[str, UUID]
    ) -> None:
        referral_id = at_discussion(api, clock)
        body = disclosure(
            agencies[POLICE],
            [agencies[CHILDRENS]],
            legal_basis_ids=["app-b.sch3-police-functions", "app-b.cda1998-s115"],
        )
        problem = refused(
            api,
            referral_id,
            send(api, referral_id, "disclosures", body, "police-1"),
            409,
            "legal-basis-in-force-on-the-day",
            recorded=True,
        )
        assert "app-b.sch3-police-functions is not in force on 2026-03-05" in problem["detail"]

    def test_without_consent_a_gateway_and_the_public_interest_are_needed(
        self, api: Api, clock: FixedClock, agencies: dict[str, UUID]
    ) -> None:
        referral_id = at_discussion(api, clock)
        police, childrens = agencies[POLICE], agencies[CHILDRENS]
        human_rights_only = disclosure(
            police,
            [childrens],
            information_category="education",
            legal_basis_ids=["uk.hra-art2", "uk.common-law-public-interest"],
        )
        refused(
            api,
            referral_id,
            send(api, referral_id, "disclosures", human_rights_only, "police-1"),
            409,
            "legal-gateway-without-consent",
            recorded=True,
        )
        no_balance = disclosure(police, [childrens], public_interest=None)
        problem = refused(
            api, referral_id, send(api, referral_id, "disclosures", no_balance, "police-1"), 422
        )
        assert problem["errors"][0]["field"] == "public_interest"
        not_weighed = disclosure(
            police,
            [childrens],
            public_interest={
                "grounds": ["detection_of_crime"],
                "consent_considered": False,
                "overrides_confidentiality_and_privacy": True,
            },
        )
        refused(
            api,
            referral_id,
            send(api, referral_id, "disclosures", not_weighed, "police-1"),
            409,
            "public-interest-must-override",
            recorded=True,
        )

    def test_sensitive_information_needs_a_condition_for_sensitive_data(
        self, api: Api, clock: FixedClock, agencies: dict[str, UUID]
    ) -> None:
        referral_id = at_discussion(api, clock)
        body = disclosure(
            agencies[POLICE],
            [agencies[CHILDRENS]],
            information_category="mental_health",
            legal_basis_ids=["uk.public-task-art6-1e", "uk.ctsa2015-s38"],
        )
        refused(
            api,
            referral_id,
            send(api, referral_id, "disclosures", body, "police-1"),
            409,
            "sensitive-data-condition",
            recorded=True,
        )


class TestConsent:
    def test_consent_is_sought_only_as_each_stage_decided(
        self, api: Api, clock: FixedClock, agencies: dict[str, UUID]
    ) -> None:
        referral_id = at_discussion(api, clock)
        childrens = str(agencies[CHILDRENS])
        seek = {"seeker_agency_id": childrens, "sought_on": "2026-03-05"}
        refused(
            api,
            referral_id,
            send(api, referral_id, "consent/sought", seek, "cs-1"),
            409,
            "consent-decision-first",
        )
        refused(
            api,
            referral_id,
            send(
                api,
                referral_id,
                "consent/approach",
                {"stage": "panel", "seek": True, "seeker_agency_id": childrens},
                "police-1",
            ),
            409,
            "step-not-allowed-at-this-stage",
        )
        problem = refused(
            api,
            referral_id,
            send(
                api,
                referral_id,
                "consent/approach",
                {"stage": "preliminary_assessment", "seek": False},
                "police-1",
            ),
            422,
        )
        assert problem["errors"][0]["field"] == "reasons_not_sought"
        api.ok(
            referral_id,
            "consent/approach",
            {
                "stage": "preliminary_assessment",
                "seek": False,
                "reasons_not_sought": ["would_harm_engagement_or_relationships"],
            },
            by="police-1",
        )
        refused(
            api,
            referral_id,
            send(api, referral_id, "consent/sought", seek, "cs-1"),
            409,
            "consent-not-to-be-sought",
        )
        api.ok(
            referral_id,
            "consent/approach",
            {"stage": "preliminary_assessment", "seek": True, "seeker_agency_id": childrens},
            by="police-1",
        )
        refused(
            api,
            referral_id,
            send(
                api,
                referral_id,
                "consent/sought",
                {**seek, "seeker_agency_id": str(agencies[SCHOOL])},
                "cs-1",
            ),
            409,
            "consent-sought-by-decided-agency",
        )
        refused(
            api,
            referral_id,
            send(
                api,
                referral_id,
                "consent/given",
                {
                    "given_by": "parent_or_carer",
                    "freely_given": True,
                    "informed_of_who_and_why": True,
                    "told_can_withdraw": True,
                    "given_on": "2026-03-05",
                },
                "cs-1",
            ),
            409,
            "consent-must-be-sought",
        )
        refused(
            api,
            referral_id,
            send(api, referral_id, "consent/withdrawn", {"withdrawn_on": "2026-03-05"}, "cs-1"),
            409,
            "consent-not-given",
        )
        api.ok(referral_id, "consent/sought", seek, by="cs-1")
        given = {
            "given_by": "parent_or_carer",
            "freely_given": True,
            "informed_of_who_and_why": False,
            "told_can_withdraw": True,
            "given_on": "2026-03-05",
        }
        refused(
            api,
            referral_id,
            send(api, referral_id, "consent/given", given, "cs-1"),
            409,
            "consent-validity",
        )
        missing = {key: value for key, value in given.items() if key != "told_can_withdraw"}
        problem = refused(
            api, referral_id, send(api, referral_id, "consent/given", missing, "cs-1"), 422
        )
        assert problem["errors"][0]["field"] == "body.told_can_withdraw"
        api.ok(referral_id, "consent/given", {**given, "informed_of_who_and_why": True}, by="cs-1")
        refused(
            api,
            referral_id,
            send(api, referral_id, "consent/sought", seek, "cs-1"),
            409,
            "consent-already-given",
        )

    def test_a_disclosure_on_consent_needs_consent_in_force(
        self, api: Api, clock: FixedClock, agencies: dict[str, UUID]
    ) -> None:
        referral_id = at_discussion(api, clock)
        police, childrens = agencies[POLICE], agencies[CHILDRENS]
        on_consent = disclosure(
            police,
            [childrens],
            information_category="education",
            legal_basis_ids=["uk.consent-art6-1a"],
            public_interest=None,
            public_interest_reasoning=None,
        )
        refused(
            api,
            referral_id,
            send(api, referral_id, "disclosures", on_consent, "police-1"),
            409,
            "consent-not-in-force",
            recorded=True,
        )
        api.ok(
            referral_id,
            "consent/approach",
            {"stage": "preliminary_assessment", "seek": True, "seeker_agency_id": str(childrens)},
            by="police-1",
        )
        api.ok(
            referral_id,
            "consent/sought",
            {"seeker_agency_id": str(childrens), "sought_on": "2026-03-05"},
            by="cs-1",
        )
        api.ok(
            referral_id,
            "consent/given",
            {
                "given_by": "parent_or_carer",
                "freely_given": True,
                "informed_of_who_and_why": True,
                "told_can_withdraw": True,
                "given_on": "2026-03-05",
            },
            by="cs-1",
        )
        accepted = api.ok(referral_id, "disclosures", on_consent, by="police-1")
        api.ok(referral_id, "consent/withdrawn", {"withdrawn_on": "2026-03-05"}, by="cs-1")
        refused(
            api,
            referral_id,
            send(api, referral_id, "disclosures", on_consent, "police-1"),
            409,
            "consent-not-in-force",
            recorded=True,
        )
        disclosed = next(
            e for e in sharing_record(api, referral_id) if e["event"] == "InformationDisclosed"
        )
        assert disclosed["position"] == accepted["position"]
        assert (disclosed["data"]["relies_on_consent"], disclosed["data"]["consent_status"]) == (
            True,
            "given",
        )
        assert disclosed["data"]["public_interest"] is None


class TestTheConditionsOfEachDisclosure:
    def test_every_section_3_principle_must_be_affirmed(
        self, api: Api, clock: FixedClock, agencies: dict[str, UUID]
    ) -> None:
        referral_id = at_discussion(api, clock)
        base = disclosure(agencies[POLICE], [agencies[CHILDRENS]])
        for principle in base["principles"]:
            body = {**base, "principles": {**base["principles"], principle: False}}
            refused(
                api,
                referral_id,
                send(api, referral_id, "disclosures", body, "police-1"),
                409,
                "section-3-principles",
                recorded=True,
            )
        no_need = {**base, "need_to_know": [{**base["need_to_know"][0], "needs_to_know": False}]}
        refused(
            api,
            referral_id,
            send(api, referral_id, "disclosures", no_need, "police-1"),
            409,
            "need-to-know",
            recorded=True,
        )

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"justification": {"necessity": "x"}}, "body.justification.power_to_share"),
            ({"principles": {"necessary": True}}, "body.principles.power_to_share"),
            ({"need_to_know": []}, "body.need_to_know"),
            ({"purpose": "marketing"}, "body.purpose"),
            ({"to_meeting_attendees": True}, "body"),
            ({"handling_advice": ""}, "body.handling_advice"),
            ({"information_category": "gossip"}, "information_category"),
            ({"disclosed_at": "2026-03-06T09:00:00Z"}, "disclosed_at"),
        ],
    )
    def test_a_missing_or_invalid_justification_field_is_named(
        self,
        api: Api,
        clock: FixedClock,
        agencies: dict[str, UUID],
        change: dict[str, Any],
        field: str,
    ) -> None:
        referral_id = at_discussion(api, clock)
        body = {**disclosure(agencies[POLICE], [agencies[CHILDRENS]]), **change}
        problem = refused(
            api, referral_id, send(api, referral_id, "disclosures", body, "police-1"), 422
        )
        assert field in {error["field"] for error in problem["errors"]}

    def test_the_need_to_know_covers_each_recipient(
        self, api: Api, clock: FixedClock, agencies: dict[str, UUID]
    ) -> None:
        referral_id = at_discussion(api, clock)
        body = disclosure(agencies[POLICE], [agencies[CHILDRENS], agencies[SCHOOL]])
        body["need_to_know"] = body["need_to_know"][:1]
        problem = refused(
            api, referral_id, send(api, referral_id, "disclosures", body, "police-1"), 422
        )
        assert problem["errors"][0]["field"] == "need_to_know"

    def test_only_the_owning_agency_decides_its_disclosure(
        self, api: Api, clock: FixedClock, agencies: dict[str, UUID]
    ) -> None:
        referral_id = at_discussion(api, clock)
        body = disclosure(agencies[POLICE], [agencies[CHILDRENS]])
        refused(
            api,
            referral_id,
            send(api, referral_id, "disclosures", body, "cs-1"),
            403,
            "disclosing-agency-decides",
            recorded=True,
        )

    def test_at_a_meeting_the_confidentiality_statement_comes_first(
        self, api: Api, clock: FixedClock, agencies: dict[str, UUID]
    ) -> None:
        referral_id = at_meeting(api, clock, agencies, statement=False)
        body = disclosure(
            agencies[POLICE],
            [],
            context="strategy_meeting",
            recipient_agency_ids=[],
            to_meeting_attendees=True,
            need_to_know=[
                {"agency_id": str(agencies[n]), "needs_to_know": True, "rationale": "At the table."}
                for n in (SCHOOL, CHILDRENS)
            ],
        )
        refused(
            api,
            referral_id,
            send(api, referral_id, "disclosures", body, "police-1"),
            409,
            "confidentiality-statement-first",
            recorded=True,
        )
        problem = refused(
            api,
            referral_id,
            send(
                api,
                referral_id,
                "strategy-meeting/confidentiality-statement",
                {"statement_version": "appendix-c/1998"},
                "chair-1",
            ),
            422,
        )
        assert "appendix-c/2018" in problem["detail"]
        api.ok(
            referral_id,
            "strategy-meeting/confidentiality-statement",
            {"statement_version": "appendix-c/2018"},
            by="chair-1",
        )
        api.ok(referral_id, "disclosures", body, by="police-1")
        disclosed = [
            e for e in sharing_record(api, referral_id) if e["event"] == "InformationDisclosed"
        ]
        recipients = {recipient["name"] for recipient in disclosed[-1]["data"]["recipients"]}
        assert recipients == {SCHOOL, CHILDRENS}, "the attendees other than the discloser"

    def test_the_statement_is_read_once_the_meeting_has_begun(
        self, api: Api, clock: FixedClock, agencies: dict[str, UUID]
    ) -> None:
        referral_id = at_meeting(api, clock, agencies, statement=False)
        at(clock, "2026-03-12T09:00:00")
        refused(
            api,
            referral_id,
            send(
                api,
                referral_id,
                "strategy-meeting/confidentiality-statement",
                {"statement_version": "appendix-c/2018"},
                "chair-1",
            ),
            409,
            "meeting-not-yet-held",
        )

    def test_the_context_must_fit_the_stage_and_the_case_must_be_open(
        self, api: Api, clock: FixedClock, agencies: dict[str, UUID]
    ) -> None:
        referral_id = at_discussion(api, clock)
        in_review = disclosure(agencies[POLICE], [agencies[CHILDRENS]], context="review")
        refused(
            api,
            referral_id,
            send(api, referral_id, "disclosures", in_review, "police-1"),
            409,
            "step-not-allowed-at-this-stage",
            recorded=True,
        )
        closed = api.received(referral_form(subject_age_group="adult"))
        api.ok(closed, "security-checks", by="triage-1")
        api.ok(closed, "screen-out", {"reasons": ["malicious"]}, by="triage-1")
        outside = disclosure(agencies[POLICE], [agencies[ADULTS]], context="outside_meeting")
        refused(
            api,
            closed,
            send(api, closed, "disclosures", outside, "police-1"),
            409,
            "sharing-while-case-open",
            recorded=True,
        )


class TestAppendixC:
    def test_onward_disclosure_and_discussion_with_the_subject(
        self, api: Api, clock: FixedClock, agencies: dict[str, UUID]
    ) -> None:
        referral_id = at_meeting(api, clock, agencies)
        police, school = agencies[POLICE], agencies[SCHOOL]
        api.ok(
            referral_id,
            "disclosures",
            disclosure(police, [school], context="strategy_meeting"),
            by="police-1",
        )
        onward = {
            "disclosure_no": 1,
            "to_bodies": ["MAPPA panel"],
            "official_purpose": "Risk management.",
        }
        api.ok(referral_id, "disclosures/onward-sanctions", onward, by="chair-1")
        problem = refused(
            api,
            referral_id,
            send(
                api,
                referral_id,
                "disclosures/onward-sanctions",
                {**onward, "disclosure_no": 9},
                "chair-1",
            ),
            422,
        )
        assert problem["errors"][0]["field"] == "disclosure_no"
        refused(
            api,
            referral_id,
            send(
                api,
                referral_id,
                "disclosures/subject-discussion",
                {"disclosure_no": 1, "decision": "approved"},
                "cs-1",
            ),
            403,
            "owner-decides-subject-discussion",
        )
        api.ok(
            referral_id,
            "disclosures/subject-discussion",
            {"disclosure_no": 1, "decision": "refused"},
            by="police-1",
        )
        case = api.case(referral_id, after=api.log_position())
        summary = case["disclosures"][0]
        assert (summary["onward_sanctioned"], summary["subject_discussion"]) == (True, "refused")

    def test_onward_sanction_is_for_information_shared_at_a_meeting(
        self, api: Api, clock: FixedClock, agencies: dict[str, UUID]
    ) -> None:
        referral_id = at_meeting(api, clock, agencies)
        outside = disclosure(agencies[POLICE], [agencies[SCHOOL]], context="outside_meeting")
        api.ok(referral_id, "disclosures", outside, by="police-1")
        refused(
            api,
            referral_id,
            send(
                api,
                referral_id,
                "disclosures/onward-sanctions",
                {"disclosure_no": 1, "to_bodies": ["Court"], "official_purpose": "x"},
                "chair-1",
            ),
            409,
            "onward-disclosure-of-meeting-information",
        )

    def test_a_withheld_disclosure_is_recorded_by_its_owner_with_its_reason(
        self, api: Api, clock: FixedClock, agencies: dict[str, UUID]
    ) -> None:
        referral_id = at_discussion(api, clock)
        withheld = {
            "withholding_agency_id": str(agencies[POLICE]),
            "information_category": "police_intelligence",
            "reason": "would_prejudice_an_investigation",
            "requesting_agency_id": str(agencies[CHILDRENS]),
        }
        refused(
            api,
            referral_id,
            send(api, referral_id, "disclosures/withheld", withheld, "cs-1"),
            403,
            "disclosing-agency-decides",
        )
        problem = refused(
            api,
            referral_id,
            send(
                api,
                referral_id,
                "disclosures/withheld",
                {**withheld, "reason": "other"},
                "police-1",
            ),
            422,
        )
        assert problem["errors"][0]["field"] == "explanation"
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
