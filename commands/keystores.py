"""Where wrapped data keys live: an SQLite file or a PostgreSQL database of their own.

Each key store also holds the identity of the ledger it belongs to (a random UUID written
once, also in that ledger's event store), so a key store and an event store that were not
made for each other are recognised before a key is looked for or made.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from functools import partial
from typing import Any, NamedTuple, Protocol
from uuid import UUID

from eventsourcing.postgres import PostgresDatastore
from psycopg.sql import SQL, Identifier, Literal

from events.datastores import RecoveringSQLiteDatastore
from events.personal import KeyGroup
from events.statements import POSTGRES, Field, sqlite_statement


class WrappedKey(NamedTuple):
    key_id: str
    owner_id: UUID
    key_group: KeyGroup
    wrapped_key: bytes | None  # None once destroyed
    master_key_fingerprint: str


class KeyStore(Protocol):
    location: str
    """Where the store is, for operators: a file path or a database on a server."""
    setting: str
    """What an operator changes to point the service at another key store."""

    def create_table(self) -> None:
        """Create the keys' table and the ledger identity's (both empty) if they are missing."""
        ...

    def read_ledger_id(self) -> UUID | None:
        """The identity of the ledger the store belongs to; None before it was written (a new
        store, or one created before identities were)."""
        ...

    def write_ledger_id(self, ledger_id: UUID) -> UUID:
        """Write the ledger identity unless one is there; returns the one the store holds."""
        ...

    def holds_keys(self) -> bool:
        """Whether any key (or the tombstone of a destroyed one) is stored."""
        ...

    def insert_keys(self, keys: Sequence[WrappedKey]) -> None:
        """Insert new keys; a key for an owner's group that already exists is left as it is."""
        ...

    def select_owner_keys(self, owner_id: UUID) -> list[WrappedKey]: ...

    def select_key(self, key_id: str) -> WrappedKey | None: ...

    def foreign_fingerprint(self, fingerprint: str) -> str | None:
        """A master-key fingerprint other than `fingerprint` among the stored keys, if any."""
        ...

    def select_all_keys(self) -> list[WrappedKey]: ...

    def rewrap_keys(self, keys: Sequence[WrappedKey]) -> None:
        """Replace the wrapping and fingerprint of every key given, in one transaction."""
        ...

    def destroy_keys(self, key_ids: Sequence[str], *, destroyed_at: datetime) -> None:
        """Overwrite the keys for good: the row stays as a tombstone with no key in it, and
        the store's free space and journals are purged of the old bytes where it can.
        A controller key is never destroyed, whatever names it."""
        ...

    def close(self) -> None: ...


_COLUMNS = ("key_id", "owner_id", "key_group", "wrapped_key", "master_key_fingerprint")
_TABLE = (
    "CREATE TABLE IF NOT EXISTS {table} ("
    "key_id TEXT PRIMARY KEY, owner_id TEXT NOT NULL, key_group TEXT NOT NULL, "
    "wrapped_key {blob}, master_key_fingerprint TEXT NOT NULL, "
    "created_at TEXT NOT NULL, destroyed_at TEXT, "
    "UNIQUE (owner_id, key_group))"
)
# One row at most: a key store belongs to one ledger, for good.
_IDENTITY_TABLE = (
    "CREATE TABLE IF NOT EXISTS {table} ("
    "id INTEGER PRIMARY KEY CHECK (id = 1), ledger_id TEXT NOT NULL, created_at TEXT NOT NULL)"
)
# The statements both stores run, rendered once for each (events/statements.py).
_READ_IDENTITY = "SELECT ledger_id FROM {identity} WHERE id = 1"
_WRITE_IDENTITY = (
    "INSERT INTO {identity} (id, ledger_id, created_at) VALUES (1, {mark}, {mark}) "
    "ON CONFLICT DO NOTHING"
)
_ANY_KEY = "SELECT 1 AS found FROM {keys} LIMIT 1"
_INSERT = (
    "INSERT INTO {keys} ({columns}, created_at) VALUES ({mark},{mark},{mark},{mark},{mark},{mark}) "
    "ON CONFLICT DO NOTHING"
)
_BY_OWNER = "SELECT {columns} FROM {keys} WHERE owner_id={mark}"
_BY_ID = "SELECT {columns} FROM {keys} WHERE key_id={mark}"
_FOREIGN = (
    "SELECT master_key_fingerprint AS f FROM {keys} WHERE master_key_fingerprint <> {mark} LIMIT 1"
)
_ALL = "SELECT {columns} FROM {keys} ORDER BY key_id"
_REWRAP = "UPDATE {keys} SET wrapped_key={mark}, master_key_fingerprint={mark} WHERE key_id={mark}"
# The controller's reasoning justifies an erasure: the erasure must not take it too.
_DESTROY = (
    "UPDATE {keys} SET wrapped_key=NULL, destroyed_at={mark} "
    "WHERE key_id={mark} AND key_group <> {controller}"
)
_NAMES: dict[str, Field] = {"columns": _COLUMNS, "controller": Literal(KeyGroup.CONTROLLER.value)}


def _key_from(row: Any) -> WrappedKey:
    blob = row["wrapped_key"]
    return WrappedKey(
        key_id=row["key_id"],
        owner_id=UUID(row["owner_id"]),
        key_group=KeyGroup(row["key_group"]),
        wrapped_key=None if blob is None else bytes(blob),
        master_key_fingerprint=row["master_key_fingerprint"],
    )


def _key_row(key: WrappedKey) -> tuple[object, ...]:
    created_at = datetime.now(UTC).isoformat()
    return (
        key.key_id,
        str(key.owner_id),
        key.key_group.value,
        key.wrapped_key,
        key.master_key_fingerprint,
        created_at,
    )


class SQLiteKeyStore:
    setting = "the data folder (VTR_DATA_DIR)"

    def __init__(self, path: str) -> None:
        self._datastore = RecoveringSQLiteDatastore(db_name=path)
        self.location = path
        sql = partial(sqlite_statement, keys="data_keys", identity="ledger_identity", **_NAMES)
        self._read_identity = sql(_READ_IDENTITY)
        self._write_identity = sql(_WRITE_IDENTITY)
        self._any_key = sql(_ANY_KEY)
        self._insert = sql(_INSERT)
        self._by_owner = sql(_BY_OWNER)
        self._by_id = sql(_BY_ID)
        self._foreign = sql(_FOREIGN)
        self._all = sql(_ALL)
        self._rewrap = sql(_REWRAP)
        self._destroy = sql(_DESTROY)

    def create_table(self) -> None:
        with self._datastore.transaction(commit=True) as c:
            c.execute(_TABLE.format(table="data_keys", blob="BLOB"))
            c.execute(_IDENTITY_TABLE.format(table="ledger_identity"))

    def read_ledger_id(self) -> UUID | None:
        with self._datastore.transaction(commit=False) as c:
            c.execute(self._read_identity)
            row = c.fetchone()
        return None if row is None else UUID(row["ledger_id"])

    def write_ledger_id(self, ledger_id: UUID) -> UUID:
        with self._datastore.transaction(commit=True) as c:
            c.execute(self._write_identity, (str(ledger_id), datetime.now(UTC).isoformat()))
            c.execute(self._read_identity)
            return UUID(c.fetchone()["ledger_id"])

    def holds_keys(self) -> bool:
        with self._datastore.transaction(commit=False) as c:
            c.execute(self._any_key)
            return c.fetchone() is not None

    def insert_keys(self, keys: Sequence[WrappedKey]) -> None:
        with self._datastore.transaction(commit=True) as c:
            c.executemany(self._insert, [_key_row(key) for key in keys])

    def select_owner_keys(self, owner_id: UUID) -> list[WrappedKey]:
        with self._datastore.transaction(commit=False) as c:
            c.execute(self._by_owner, (str(owner_id),))
            return [_key_from(row) for row in c.fetchall()]

    def select_key(self, key_id: str) -> WrappedKey | None:
        with self._datastore.transaction(commit=False) as c:
            c.execute(self._by_id, (key_id,))
            row = c.fetchone()
        return None if row is None else _key_from(row)

    def foreign_fingerprint(self, fingerprint: str) -> str | None:
        with self._datastore.transaction(commit=False) as c:
            c.execute(self._foreign, (fingerprint,))
            row = c.fetchone()
        return None if row is None else str(row[0])

    def select_all_keys(self) -> list[WrappedKey]:
        with self._datastore.transaction(commit=False) as c:
            c.execute(self._all)
            return [_key_from(row) for row in c.fetchall()]

    def rewrap_keys(self, keys: Sequence[WrappedKey]) -> None:
        with self._datastore.transaction(commit=True) as c:
            c.execute("PRAGMA secure_delete=ON")
            c.executemany(
                self._rewrap,
                [(key.wrapped_key, key.master_key_fingerprint, key.key_id) for key in keys],
            )
        self._purge_journal()

    def destroy_keys(self, key_ids: Sequence[str], *, destroyed_at: datetime) -> None:
        stamp = destroyed_at.isoformat()
        with self._datastore.transaction(commit=True) as c:
            # Freed space is zeroed, so the old wrapped key is not left in the file.
            c.execute("PRAGMA secure_delete=ON")
            c.executemany(self._destroy, [(stamp, key_id) for key_id in key_ids])
        self._purge_journal()

    def _purge_journal(self) -> None:
        # The write-ahead log still holds the old page images until it is checkpointed.
        with self._datastore.transaction(commit=False) as c:
            c.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        self._datastore.close()


class PostgresKeyStore:
    setting = "VTR_PG_KEYSTORE_DATABASE"

    def __init__(self, datastore: PostgresDatastore, location: str) -> None:
        self._datastore = datastore
        self.location = location
        table = Identifier(datastore.schema, "vtr_data_keys")
        identity = Identifier(datastore.schema, "vtr_key_store_ledger")
        self._create_identity = SQL(_IDENTITY_TABLE).format(table=identity)
        self._create = SQL(_TABLE.format(table="{table}", blob="bytea")).format(table=table)
        sql = partial(POSTGRES.statement, keys=table, identity=identity, **_NAMES)
        self._read_identity = sql(_READ_IDENTITY)
        self._write_identity = sql(_WRITE_IDENTITY)
        self._any_key = sql(_ANY_KEY)
        self._insert = sql(_INSERT)
        self._by_owner = sql(_BY_OWNER)
        self._by_id = sql(_BY_ID)
        self._foreign = sql(_FOREIGN)
        self._all = sql(_ALL)
        self._rewrap = sql(_REWRAP)
        self._destroy = sql(_DESTROY)
        # A rewrite leaves no dead row versions (old wrapped keys) in the table's files.
        self._compact = SQL("VACUUM FULL {table}").format(table=table)

    def create_table(self) -> None:
        with self._datastore.transaction(commit=True) as curs:
            curs.execute(self._create)
            curs.execute(self._create_identity)

    def read_ledger_id(self) -> UUID | None:
        with self._datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self._read_identity)
            row = curs.fetchone()
        return None if row is None else UUID(row["ledger_id"])

    def write_ledger_id(self, ledger_id: UUID) -> UUID:
        with self._datastore.transaction(commit=True) as curs:
            curs.execute(self._write_identity, (str(ledger_id), datetime.now(UTC).isoformat()))
            curs.execute(self._read_identity)
            row = curs.fetchone()
        assert row is not None  # noqa: S101 (written just before, in this transaction)
        return UUID(row["ledger_id"])

    def holds_keys(self) -> bool:
        with self._datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self._any_key)
            return curs.fetchone() is not None

    def insert_keys(self, keys: Sequence[WrappedKey]) -> None:
        with self._datastore.transaction(commit=True) as curs:
            curs.executemany(self._insert, [_key_row(key) for key in keys])

    def select_owner_keys(self, owner_id: UUID) -> list[WrappedKey]:
        with self._datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self._by_owner, (str(owner_id),))
            return [_key_from(row) for row in curs.fetchall()]

    def select_key(self, key_id: str) -> WrappedKey | None:
        with self._datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self._by_id, (key_id,))
            row = curs.fetchone()
        return None if row is None else _key_from(row)

    def foreign_fingerprint(self, fingerprint: str) -> str | None:
        with self._datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self._foreign, (fingerprint,))
            row = curs.fetchone()
        return None if row is None else str(row["f"])

    def close(self) -> None:
        self._datastore.close()

    def select_all_keys(self) -> list[WrappedKey]:
        with self._datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self._all)
            return [_key_from(row) for row in curs.fetchall()]

    def rewrap_keys(self, keys: Sequence[WrappedKey]) -> None:
        with self._datastore.transaction(commit=True) as curs:
            curs.executemany(
                self._rewrap,
                [(key.wrapped_key, key.master_key_fingerprint, key.key_id) for key in keys],
            )
        self._compact_table()

    def destroy_keys(self, key_ids: Sequence[str], *, destroyed_at: datetime) -> None:
        stamp = destroyed_at.isoformat()
        with self._datastore.transaction(commit=True) as curs:
            curs.executemany(self._destroy, [(stamp, key_id) for key_id in key_ids])
        self._compact_table()

    def _compact_table(self) -> None:
        with self._datastore.get_connection() as conn:
            conn.autocommit = True
            try:
                conn.execute(self._compact)
            finally:
                conn.autocommit = False
