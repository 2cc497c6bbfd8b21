"""SQL statements written once and rendered once for each backend.

A template is psycopg's SQL format string. Its fields are filled with names, quoted as
identifiers (a table, an index, a list of columns), with fragments rendered the same way, or
with `{mark}`, the driver's parameter placeholder; values are always bound, never written
into the text. PostgreSQL runs psycopg's composed statement; SQLite runs the same template
rendered to text, with `?` for the placeholder and the identifiers double-quoted (SQLite's
quoting is the standard's, which psycopg's is too).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import LiteralString

from psycopg.sql import SQL, Composable, Composed, Identifier, Literal, Placeholder

# What a database executes: psycopg's composed statement, or SQLite's text.
Statement = str | Composed
# A field of a template: a name, a list of names, a whole number, or a rendered fragment.
Field = str | Sequence[str] | int | Composable


class Dialect:
    """How one backend spells a parameter, and whether it runs composed statements or text."""

    def __init__(self, mark: Composable, *, as_text: bool) -> None:
        self.mark = mark
        self._as_text = as_text

    def statement(self, template: LiteralString, /, **fields: Field) -> Statement:
        composed = self.fragment(template, **fields)
        return composed.as_string(None) if self._as_text else composed

    def fragment(self, template: LiteralString, /, **fields: Field) -> Composed:
        """Part of a statement (a clause chosen at run time), for a field of another."""
        parts = {name: _composable(value) for name, value in fields.items()}
        return SQL(template).format(mark=self.mark, **parts)

    def marks(self, count: int) -> Composed:
        return SQL(",").join([self.mark] * count)

    def join(self, separator: LiteralString, fragments: Iterable[Composable]) -> Composed:
        return SQL(separator).join(fragments)


SQLITE = Dialect(SQL("?"), as_text=True)
POSTGRES = Dialect(Placeholder(), as_text=False)


def sqlite_statement(template: LiteralString, /, **fields: Field) -> str:
    """A statement for SQLite alone (a table only the embedded backend has)."""
    return sqlite_text(SQLITE.statement(template, **fields))


def sqlite_text(statement: Statement) -> str:
    """The text SQLite runs; a composed statement here was rendered for PostgreSQL."""
    if not isinstance(statement, str):
        raise TypeError("a statement rendered for PostgreSQL was given to SQLite")
    return statement


def _composable(value: Field) -> Composable:
    if isinstance(value, Composable):
        return value
    if isinstance(value, str):
        return Identifier(value)
    if isinstance(value, int):
        return Literal(value)
    return SQL(", ").join(map(Identifier, value))
