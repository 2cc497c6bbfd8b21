"""The register as a file an auditor can open: CSV for spreadsheets, JSON for tools.

CSV is UTF-8 with a byte-order mark and CRLF line ends, so spreadsheets open it cleanly.
A cell that a spreadsheet could take for a formula is written with a leading apostrophe:
one starting with = + - @ or a compatibility form of them (fullwidth U+FF1D U+FF0B U+FF0D
U+FF20 and the small forms, which some spreadsheets read as the ASCII ones), or with a
control or format character (a tab, CR, NUL, a bidi control or mark, a zero-width space:
each shows nothing and can hide what the cell starts with). So is a cell that already
starts with an apostrophe; reading strips exactly one, so the export round-trips. No NUL
is ever written: it becomes U+FFFD.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic_core import to_json

from projections.register_rows import RegisterEntry

BOM = "\ufeff"
MARKING_PREFIX = "# "
FORMULA_STARTS = ("=", "+", "-", "@", "'")
INVISIBLE_STARTS = {"Cc", "Cf", "Zl", "Zp"}
NUL, REPLACEMENT = "\x00", "\ufffd"
CSV_COLUMNS = (
    "direction",
    "disclosed_at",
    "recorded_at",
    "reference",
    "referral_id",
    "disclosure_no",
    "context",
    "disclosing_agency",
    "disclosing_agency_type",
    "disclosing_agency_id",
    "recipient_agency",
    "recipient_agency_type",
    "recipient_agency_id",
    "information_category",
    "special_category",
    "legal_basis_ids",
    "legal_basis_citations",
    "legal_basis_catalogues",
    "relies_on_consent",
    "consent_status",
    "particularly_sensitive",
    "handling_advice",
    "purpose",
    "decided_by",
    "decided_by_role",
    "decided_by_agency",
    "log_position",
)


def instant(moment: datetime) -> str:
    """A moment as exports write it, JSON and CSV alike: UTC with a `Z`."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def neutralise(cell: str) -> str:
    safe = cell.replace(NUL, REPLACEMENT)
    return f"'{safe}" if cell and _triggers(cell[0]) else safe


def _triggers(first: str) -> bool:
    return unicodedata.category(first) in INVISIBLE_STARTS or unicodedata.normalize(
        "NFKC", first
    ).startswith(FORMULA_STARTS)


def restore(cell: str) -> str:
    return cell.removeprefix("'")


def csv_cells(entry: RegisterEntry) -> list[str]:
    bases = entry.legal_bases
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
        _yes_no(entry.special_category),
        "; ".join(basis.entry_id for basis in bases),
        "; ".join(basis.citation for basis in bases),
        "; ".join(f"{basis.catalogue} {basis.catalogue_version}" for basis in bases),
        _yes_no(entry.relies_on_consent),
        entry.consent_status.value,
        _yes_no(entry.particularly_sensitive),
        entry.handling_advice,
        entry.purpose,
        entry.decided_by,
        entry.decided_by_role.value,
        entry.decided_by_agency,
        entry.position,
    ]
    return [neutralise(str(cell)) for cell in cells]


def csv_export(
    entries: Iterable[RegisterEntry], marking: str | None = None, rows_per_chunk: int = 500
) -> Iterator[str]:
    """The register as CSV text, in chunks (for streaming)."""
    return csv_document(CSV_COLUMNS, map(csv_cells, entries), marking, rows_per_chunk)


def csv_document(
    columns: Sequence[str],
    rows: Iterable[Sequence[str]],
    marking: str | None = None,
    rows_per_chunk: int = 500,
) -> Iterator[str]:
    """A spreadsheet-safe CSV document, in chunks: cells must already be neutralised. A
    `marking` line (protective marking and watermark, starting with `#`) comes first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BOM)
    if marking is not None:
        # Quoted, so a spreadsheet keeps the whole line (commas and all) in one cell.
        marking_cell = marking.replace("\r", " ").replace("\n", " ").replace('"', "'")
        buffer.write(f'"{marking_cell}"\r\n')
    writer.writerow(columns)
    for count, cells in enumerate(rows, start=1):
        writer.writerow(cells)
        if count % rows_per_chunk == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def read_csv(text: str) -> list[dict[str, str]]:
    """Parse an exported register back into rows of text, undoing the neutralising."""
    lines = text.removeprefix(BOM).split("\r\n")
    while lines and lines[0].lstrip('"').startswith(MARKING_PREFIX):
        lines.pop(0)
    reader = csv.DictReader(io.StringIO("\r\n".join(lines)))
    return [{column: restore(cell) for column, cell in row.items()} for row in reader]


def json_export(
    header: dict[str, Any],
    entries: Iterable[RegisterEntry],
    rows_per_chunk: int = 500,
    footer: Callable[[], dict[str, Any]] | None = None,
) -> Iterator[bytes]:
    """The register as one JSON document `{...header, "rows": [...], ...footer}`, in chunks;
    the footer is asked for after the last row (to say, say, that the rows stopped early)."""
    chunk = [to_json(header)[:-1] + (b',"rows":[' if header else b'{"rows":[')]
    for count, entry in enumerate(entries):
        chunk.append((b"," if count else b"") + entry.model_dump_json().encode())
        if len(chunk) == rows_per_chunk:
            yield b"".join(chunk)
            chunk = []
    ending = footer() if footer is not None else {}
    chunk.append(b"]" + (b"," + to_json(ending)[1:] if ending else b"}"))
    yield b"".join(chunk)


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue().replace(NUL, REPLACEMENT)  # the marking and headers too
    buffer.seek(0)
    buffer.truncate()
    return text
