"""Section 8 obligations through the HTTP API, on a frozen clock across Christmas 2026.

Due dates below were counted by hand on the England and Wales calendar (10 working days):
Christmas Day is Friday 25 December 2026, Boxing Day falls on Saturday so its bank holiday
is Monday 28 December, and New Year's Day is Friday 1 January 2027.
"""

from __future__ import annotations

from uuid import UUID

from projections.register_export import read_csv
from tests import lifecycle as steps
from tests.api_client import Api
from tests.lifecycle import at
from tests.section8_support import by_status, case_with_disclosures, end_involvement, obligations
from tests.sharing_support import CHILDRENS, SCHOOL, register_agencies
from tests.support import FixedClock


def confirm(api: Api, referral_id: UUID, obligation_no: int, *, complete: bool, day: str) -> None:
    api.ok(
        referral_id,
        "disposal-confirmations",
        {
            "obligation_no": obligation_no,
            "method": "deleted",
            "disposed_on": day,
            "complete": complete,
        },
        by="school-1",
    )


def test_obligations_fall_due_on_working_days_and_are_tracked_per_agency(
    api: Api, clock: FixedClock
) -> None:
    agencies = register_agencies(api)
    school, childrens = agencies[SCHOOL], agencies[CHILDRENS]
    case_a = case_with_disclosures(
        api, clock, agencies, "2026-03-05", [[CHILDRENS, SCHOOL], [SCHOOL]]
    )
    case_b = case_with_disclosures(api, clock, agencies, "2026-03-09", [[SCHOOL]])
    a, b = str(case_a), str(case_b)

    end_involvement(api, clock, case_a, school, "2026-12-21")  # Monday
    end_involvement(api, clock, case_a, childrens, "2026-12-23")  # Wednesday
    end_involvement(api, clock, case_b, school, "2026-12-24")  # Thursday

    due = {
        (row["referral_id"], row["disclosure_no"], row["agency_name"]): row["due_on"]
        for row in obligations(api)
    }
    assert due == {
        (a, 1, SCHOOL): "2027-01-07",
        (a, 2, SCHOOL): "2027-01-07",
        (a, 1, CHILDRENS): "2027-01-11",
        (b, 1, SCHOOL): "2027-01-12",
    }

    at(clock, "2027-01-08T09:00:00")  # Friday: the school's case A obligations are late
    assert by_status(api, school) == {"overdue": {(a, 1), (a, 2)}, "open": {(b, 1)}}
    assert by_status(api, childrens) == {"open": {(a, 1)}}

    school_a = {
        row["disclosure_no"]: row["obligation_no"]
        for row in obligations(api, referral_id=a, agency_id=str(school))
    }
    confirm(api, case_a, school_a[1], complete=True, day="2027-01-08")
    confirm(api, case_a, school_a[2], complete=False, day="2027-01-08")  # partial: stays late
    assert by_status(api, school) == {
        "discharged": {(a, 1)},
        "overdue": {(a, 2)},
        "open": {(b, 1)},
    }

    at(clock, "2027-01-12T09:00:00")  # Tuesday: due today is not yet overdue
    assert by_status(api, childrens) == {"overdue": {(a, 1)}}
    assert by_status(api, school)["open"] == {(b, 1)}
    at(clock, "2027-01-13T09:00:00")
    assert by_status(api, school)["overdue"] == {(a, 2), (b, 1)}

    partial = next(
        row
        for row in obligations(api, referral_id=a, agency_id=str(school))
        if row["disclosure_no"] == 2
    )
    assert partial["confirmations"] == 1
    assert partial["discharged_on"] is None
    assert partial["disclosing_agency_name"] == "Norfolk Constabulary"
    assert partial["information_category"] == "police_intelligence"


def test_a_legal_hold_suspends_obligations_and_lifting_it_restarts_the_clock(
    api: Api, clock: FixedClock
) -> None:
    agencies = register_agencies(api)
    school = agencies[SCHOOL]
    case = case_with_disclosures(api, clock, agencies, "2026-03-05", [[SCHOOL]])
    end_involvement(api, clock, case, school, "2026-12-21")
    at(clock, "2027-01-08T09:00:00")
    api.ok(case, "legal-hold", {"ground": "litigation", "reason": "Claim issued"}, by="dpo-1")
    assert by_status(api, school) == {"suspended": {(str(case), 1)}}

    lifted = api.ok(case, "legal-hold/lifted", {"reason": "Claim settled"}, by="dpo-1")
    assert lifted["events"] == ["LegalHoldLifted"]
    (row,) = obligations(api, agency_id=str(school))
    # Ten working days from Friday 8 January 2027: 11-15 and 18-22 January.
    assert (row["status"], row["due_on"]) == ("open", "2027-01-22")


def test_obligations_export_as_csv_and_each_agency_has_a_reminder_list(
    api: Api, clock: FixedClock
) -> None:
    agencies = register_agencies(api)
    school = agencies[SCHOOL]
    case_a = case_with_disclosures(api, clock, agencies, "2026-03-05", [[SCHOOL], [SCHOOL]])
    case_b = case_with_disclosures(api, clock, agencies, "2026-03-09", [[SCHOOL]])
    end_involvement(api, clock, case_a, school, "2026-12-21")
    end_involvement(api, clock, case_b, school, "2026-12-24")
    at(clock, "2027-01-08T09:00:00")

    response = api.client.get(
        "/disposal-obligations",
        params={"agency_id": str(school), "format": "csv", "after_position": api.log_position()},
        headers=api.headers("dpo-1"),
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = read_csv(response.text)
    assert {(r["referral_id"], r["disclosure_no"], r["status"]) for r in rows} == {
        (str(case_a), "1", "overdue"),
        (str(case_a), "2", "overdue"),
        (str(case_b), "1", "open"),
    }

    reminders = api.client.get(
        f"/agencies/{school}/disposal-reminders",
        params={"after_position": api.log_position()},
        headers=api.headers("school-1"),
    ).json()
    assert [(r["referral_id"], r["disclosure_no"]) for r in reminders["overdue"]] == [
        (str(case_a), 1),
        (str(case_a), 2),
    ]
    assert [r["referral_id"] for r in reminders["open"]] == [str(case_b)]
    assert reminders["suspended"] == []


def test_a_concluded_case_proposes_ending_each_recipients_involvement(
    api: Api, clock: FixedClock
) -> None:
    agencies = register_agencies(api)
    school = agencies[SCHOOL]
    case = case_with_disclosures(api, clock, agencies, "2026-03-05", [[CHILDRENS, SCHOOL]])
    steps.ready_to_decide(api, case)
    decision = {"outcome": "exit", "reasons": "No vulnerability to radicalisation found."}
    api.ok(case, "strategy-discussion/decision", decision, by="police-1")
    steps.section_2_signatures(api, case)

    concluded = api.ok(case, "conclusion", {"concluded_on": "2026-03-05"}, by="chair-1")

    assert concluded["events"] == ["ProcessConcluded", *["AgencyInvolvementEndProposed"] * 2]
    reminders = api.client.get(
        f"/agencies/{school}/disposal-reminders",
        params={"after_position": api.log_position()},
        headers=api.headers("school-1"),
    ).json()
    assert [(p["referral_id"], p["because"]) for p in reminders["involvement_end_proposed"]] == [
        (str(case), "process_concluded")
    ]
    assert reminders["open"] == []

    end_involvement(api, clock, case, school, "2026-03-09")
    reminders = api.client.get(
        f"/agencies/{school}/disposal-reminders",
        params={"after_position": api.log_position()},
        headers=api.headers("school-1"),
    ).json()
    assert reminders["involvement_end_proposed"] == []
    assert [(r["referral_id"], r["due_on"]) for r in reminders["open"]] == [
        (str(case), "2026-03-23")
    ]
