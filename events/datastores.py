"""The SQLite datastore every store of the embedded backend uses: the library's, made to
recover from a data folder that was read-only for a while.

SQLite silently opens a database read-only when its file or folder cannot be written at
that moment, and such a connection stays read-only for its whole life in the pool: every
later write through it fails, long after the folder is writable again. A connection that
fails because it is read-only is closed here instead of going back to the pool: that request
is answered 503, and the next one gets a fresh connection, writable once the folder is.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from eventsourcing.persistence import OperationalError
from eventsourcing.sqlite import SQLiteCursor, SQLiteDatastore, SQLiteFactory


def read_only_failure(error: BaseException) -> bool:
    current: BaseException | None = error
    while current is not None:
        code = getattr(current, "sqlite_errorcode", None)
        if code is not None and code & 0xFF == sqlite3.SQLITE_READONLY:
            return True
        current = current.__cause__ or current.__context__
    return False


class RecoveringSQLiteDatastore(SQLiteDatastore):
    @contextmanager
    def transaction(self, *, commit: bool) -> Iterator[SQLiteCursor]:
        connection = self.pool.get_connection(is_writer=commit)
        try:
            with connection.transaction(commit=commit) as curs, curs:
                yield curs
        except OperationalError as error:
            if read_only_failure(error):
                connection.close()  # a closed connection is not put back in the pool
            raise
        finally:
            self.pool.put_connection(connection)


class RecoveringSQLiteFactory(SQLiteFactory):
    """The library's SQLite factory, its datastore the recovering one (`PERSISTENCE_MODULE`)."""

    def __init__(self, env: object) -> None:
        super().__init__(env)  # type: ignore[arg-type]
        library = self.datastore
        self.datastore = RecoveringSQLiteDatastore(
            db_name=library.pool.db_name,
            lock_timeout=library.pool.lock_timeout,
            single_row_tracking=library.single_row_tracking,
            originator_id_type=library.originator_id_type,
        )
        library.close()
