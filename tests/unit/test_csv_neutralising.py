"""Every CSV export (register, obligations, access log) is safe to open in a spreadsheet:
no cell starts with anything that could make it a formula or hide what it starts with,
no NUL byte is written, and reading the file back gives the text that was exported."""

from __future__ import annotations

import unicodedata

from hypothesis import example, given
from hypothesis import strategies as st

from projections.register_export import csv_document, neutralise, read_csv

ASCII_TRIGGERS = "=+-@\t\r\n"
FULLWIDTH_TRIGGERS = "\uff1d\uff0b\uff0d\uff20"  # fullwidth = + - @
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"
TRIGGERS = ASCII_TRIGGERS + FULLWIDTH_TRIGGERS + BIDI + "\x00\x1b\x07\x7f\x85\ufeff\u200b"

A_TRIGGER = st.sampled_from(TRIGGERS) | st.characters(categories=["Cc", "Cf"])
CELLS = st.text() | st.tuples(A_TRIGGER, st.text()).map("".join)
COLUMNS = ("first", "second", "third")
ROWS = st.lists(st.lists(CELLS, min_size=len(COLUMNS), max_size=len(COLUMNS)), max_size=8)


def starts_with_a_trigger(cell: str) -> bool:
    return bool(cell) and (
        cell[0] in TRIGGERS or unicodedata.category(cell[0]) in {"Cc", "Cf", "Zl", "Zp"}
    )


@given(CELLS)
@example("\uff1dHYPERLINK(1)")
@example("\u202e=1+1")
@example("\x00=1")
@example("'quoted")
def test_no_neutralised_cell_starts_with_a_trigger_or_holds_a_nul(cell: str) -> None:
    safe = neutralise(cell)
    assert not starts_with_a_trigger(safe)
    assert "\x00" not in safe
    if starts_with_a_trigger(cell):
        assert safe == "'" + cell.replace("\x00", "\ufffd")


@given(ROWS, st.none() | st.text().map("# {}".format))
def test_a_csv_document_reads_back_as_the_text_exported(
    rows: list[list[str]], marking: str | None
) -> None:
    document = "".join(
        csv_document(COLUMNS, ([neutralise(c) for c in row] for row in rows), marking)
    )
    assert "\x00" not in document
    expected = [
        dict(zip(COLUMNS, (cell.replace("\x00", "\ufffd") for cell in row), strict=True))
        for row in rows
    ]
    assert read_csv(document) == expected
