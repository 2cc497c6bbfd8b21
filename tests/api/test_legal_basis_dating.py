"""A disclosure is checked against the catalogue entries in force on its own day."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from tests.api_client import Api
from tests.sharing_support import CHILDRENS, POLICE, disclosure, discussion_on, register_agencies
from tests.support import FixedClock

APPENDIX_B = ["app-b.sch3-police-functions", "app-b.cda1998-s115", "app-b.dpa1998-s29"]
TODAY = ["uk.part3-sch8-safeguarding", "uk.cda1998-s115", "uk.sch2-para2-crime"]


def disclosed_bases(api: Api, referral_id: UUID) -> list[dict[str, Any]]:
    entries = api.client.get(
        f"/referrals/{referral_id}/sharing", headers=api.headers("triage-1")
    ).json()["entries"]
    bases: list[dict[str, Any]] = entries[-1]["data"]["legal_bases"]
    return bases


def test_each_disclosure_cites_the_entries_in_force_on_its_day(api: Api, clock: FixedClock) -> None:
    agencies = register_agencies(api)
    police, childrens = agencies[POLICE], agencies[CHILDRENS]

    in_2012 = discussion_on(api, clock, "2012-06-01")
    refused = api.send(
        in_2012,
        "disclosures",
        disclosure(police, [childrens], legal_basis_ids=TODAY),
        by="police-1",
    )
    assert refused.status_code == 409
    assert refused.json()["rule"] == "legal-basis-in-force-on-the-day"
    assert "uk.part3-sch8-safeguarding is not in force on 2012-06-01" in refused.json()["detail"]
    api.ok(
        in_2012,
        "disclosures",
        disclosure(police, [childrens], legal_basis_ids=APPENDIX_B),
        by="police-1",
    )
    cited_2012 = disclosed_bases(api, in_2012)
    assert [basis["entry_id"] for basis in cited_2012] == APPENDIX_B
    assert {(b["catalogue"], b["catalogue_version"]) for b in cited_2012} == {
        ("vtr-appendix-b", "1998.1")
    }
    assert cited_2012[0]["citation"] == "SI 2002/2905, para. 2"

    in_2026 = discussion_on(api, clock, "2026-03-05")
    refused = api.send(
        in_2026,
        "disclosures",
        disclosure(police, [childrens], legal_basis_ids=APPENDIX_B),
        by="police-1",
    )
    assert refused.status_code == 409
    assert "app-b.sch3-police-functions is not in force on 2026-03-05" in refused.json()["detail"]
    api.ok(
        in_2026,
        "disclosures",
        disclosure(police, [childrens], legal_basis_ids=TODAY),
        by="police-1",
    )
    cited_2026 = disclosed_bases(api, in_2026)
    assert [basis["entry_id"] for basis in cited_2026] == TODAY
    assert {(b["catalogue"], b["catalogue_version"]) for b in cited_2026} == {
        ("uk-gdpr-dpa2018", "2026.1")
    }
    assert cited_2026[0]["citation"] == "DPA 2018 Sch. 8 para. 4"

    # The register shows each disclosure with the entry it relied on at the time.
    register = api.client.get(
        f"/agencies/{police}/disclosure-register",
        params={"after_position": api.log_position()},
        headers=api.headers("triage-1"),
    ).json()["rows"]
    assert [[b["entry_id"] for b in row["legal_bases"]] for row in register] == [APPENDIX_B, TODAY]


def test_the_catalogue_lists_the_entries_in_force_on_a_day(api: Api) -> None:
    def on(day: str) -> set[str]:
        entries = api.client.get(
            "/legal-bases", params={"on": day}, headers=api.headers("triage-1")
        ).json()
        return {entry["entry_id"] for entry in entries}

    assert "app-b.no-secrets" in on("2014-01-01")
    assert "app-b.no-secrets" not in on("2016-01-01"), "No Secrets gave way to the Care Act"
    assert "uk.care-act-2014-s42" in on("2016-01-01")
    assert not any(entry.startswith("uk.") for entry in on("2010-01-01"))
    assert not any(entry.startswith("app-b.") for entry in on("2018-05-25"))
