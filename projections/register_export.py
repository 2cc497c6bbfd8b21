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
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from pydantic_core import to_json

from projections.register_rows import RegisterRow

BOM = "\ufeff"
MARKING_PREFIX = "# "
FORMULA_STARTS = ("=", "+", "-", "@", "'")
INVISIBLE_STARTS = {"Cc", "Cf", "Zl", "Zp"}
NUL, REPLACEMENT = "\x00", "\ufffd"
# Rows per streamed chunk: large enough that a chunk, not a row, is what costs.
ROWS_PER_CHUNK = 2000
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


@cache  # keyed by one character: a cell's first
def _triggers(first: str) -> bool:
    return unicodedata.category(first) in INVISIBLE_STARTS or unicodedata.normalize(
        "NFKC", first
    ).startswith(FORMULA_STARTS)


def restore(cell: str) -> str:
    return cell.removeprefix("'")


def csv_cells(row: RegisterRow) -> list[str]:
    """The row's cells after the first (the direction, which depends on who reads it)."""
    bases = row.legal_bases
    cells: list[Any] = [
        instant(row.disclosed_at),
        instant(row.recorded_at),
        row.reference,
        row.referral_id,
        row.disclosure_no,
        row.context.value,
        row.disclosing_agency.name,
        row.disclosing_agency.agency_type.value,
        row.disclosing_agency.agency_id,
        row.recipient_agency.name,
        row.recipient_agency.agency_type.value,
        row.recipient_agency.agency_id,
        row.information_category,
        _yes_no(row.special_category),
        "; ".join(basis.entry_id for basis in bases),
        "; ".join(basis.citation for basis in bases),
        "; ".join(f"{basis.catalogue} {basis.catalogue_version}" for basis in bases),
        _yes_no(row.relies_on_consent),
        row.consent_status.value,
        _yes_no(row.particularly_sensitive),
        row.handling_advice,
        row.purpose,
        row.decided_by,
        row.decided_by_role.value,
        row.decided_by_agency,
        row.position,
    ]
    return [neutralise(str(cell)) for cell in cells]


@dataclass(frozen=True, slots=True)
class ShapedRow:
    """A register row shaped for export once, when it is stored: its JSON, each party as
    JSON, and its CSV line after the direction (cells neutralised and quoted, no line end).
    Only the direction and the counterpart depend on which agency reads it."""

    row: str
    disclosing_agency: str
    recipient_agency: str
    cells: str


def shaped(row: RegisterRow) -> ShapedRow:
    return ShapedRow(
        row.model_dump_json(),
        row.disclosing_agency.model_dump_json(),
        row.recipient_agency.model_dump_json(),
        csv_text(row),
    )


def csv_text(row: RegisterRow) -> str:
    """The row's CSV line after the direction, without its end."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="").writerow(csv_cells(row))
    return buffer.getvalue()


def entry_json(row: str, direction: str, counterpart: str) -> str:
    """A stored row's JSON as one agency's entry: the row's members, then the direction and
    the counterpart (as `RegisterEntry` writes them)."""
    return f'{row[:-1]},"direction":"{direction}","counterpart":{counterpart}}}'


def entry_csv(direction: str, cells: str) -> str:
    """A stored row's CSV line as one agency's entry."""
    return f"{direction},{cells}\r\n"


def csv_export(
    lines: Iterable[str], marking: str | None = None, rows_per_chunk: int = ROWS_PER_CHUNK
) -> Iterator[str]:
    """The register as CSV text, in chunks (for streaming), from its entries' lines."""
    yield _drain(_csv_head(CSV_COLUMNS, marking))
    chunk: list[str] = []
    for line in lines:
        chunk.append(line)
        if len(chunk) == rows_per_chunk:
            yield "".join(chunk)
            chunk = []
    yield "".join(chunk)


def csv_document(
    columns: Sequence[str],
    rows: Iterable[Sequence[str]],
    marking: str | None = None,
    rows_per_chunk: int = 500,
) -> Iterator[str]:
    """A spreadsheet-safe CSV document, in chunks: cells must already be neutralised. A
    `marking` line (protective marking and watermark, starting with `#`) comes first."""
    buffer = _csv_head(columns, marking)
    writer = csv.writer(buffer)
    for count, cells in enumerate(rows, start=1):
        writer.writerow(cells)
        if count % rows_per_chunk == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def _csv_head(columns: Sequence[str], marking: str | None) -> io.StringIO:
    buffer = io.StringIO()
    buffer.write(BOM)
    if marking is not None:
        # Quoted, so a spreadsheet keeps the whole line (commas and all) in one cell.
        marking_cell = marking.replace("\r", " ").replace("\n", " ").replace('"', "'")
        buffer.write(f'"{marking_cell}"\r\n')
    csv.writer(buffer).writerow(columns)
    return buffer


def read_csv(text: str) -> list[dict[str, str]]:
    """Parse an exported register back into rows of text, undoing the neutralising."""
    lines = text.removeprefix(BOM).split("\r\n")
    while lines and lines[0].lstrip('"').startswith(MARKING_PREFIX):
        lines.pop(0)
    reader = csv.DictReader(io.StringIO("\r\n".join(lines)))
    return [{column: restore(cell) for column, cell in row.items()} for row in reader]


def json_export(
    header: dict[str, Any],
    rows: Iterable[str],
    rows_per_chunk: int = ROWS_PER_CHUNK,
    footer: Callable[[], dict[str, Any]] | None = None,
) -> Iterator[bytes]:
    """The register as one JSON document `{...header, "rows": [...], ...footer}`, in chunks,
    from its entries' JSON texts; the footer is asked for after the last row (to say, say,
    that the rows stopped early)."""
    yield to_json(header)[:-1] + (b',"rows":[' if header else b'{"rows":[')
    chunk: list[str] = []
    first = True
    for row in rows:
        chunk.append(row)
        if len(chunk) == rows_per_chunk:
            yield ("" if first else ",").encode() + ",".join(chunk).encode()
            chunk, first = [], False
    ending = footer() if footer is not None else {}
    rest = ("" if first or not chunk else ",") + ",".join(chunk)
    yield rest.encode() + b"]" + (b"," + to_json(ending)[1:] if ending else b"}")


def _yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue().replace(NUL, REPLACEMENT)  # the marking and headers too
    buffer.seek(0)
    buffer.truncate()
    return text
