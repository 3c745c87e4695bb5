"""The register on SQLite: WAL, so that the CLI reads while the worker writes; a
writer that takes the write lock at once and waits for another instead of failing;
a reader that takes no lock at all."""

from __future__ import annotations

from sqlalchemy import Engine, event

READ_ONLY = "fasttrack_read_only"  # an execution option: the connection's transactions only read


def configure(engine: Engine) -> None:
    event.listen(engine, "connect", _settings)
    event.listen(engine, "begin", _begin)


def _begin(connection) -> None:
    # A write takes the write lock at once: what a claim reads cannot change before
    # it writes (SQLite's driver would otherwise begin at the first write). A read
    # takes none, so that it never waits for a writer (WAL lets both go on).
    reading = connection.get_execution_options().get(READ_ONLY, False)
    connection.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")


def _settings(connection, _record) -> None:
    # WAL lets the CLI read while the worker writes; a writer waits for another
    # instead of failing at once.
    connection.isolation_level = None  # transactions begin in _begin
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
