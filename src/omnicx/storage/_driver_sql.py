"""Hot-path SQL straight through the DB-API driver (no per-row SQLAlchemy work).

Measured: SQLAlchemy's per-row parameter processing cost more than the SQL itself on
the ingest processor's batches, so those statements go to the driver directly.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection

CHUNK = 400
BIG_CHUNK = 5000  # under SQLite's 32766 bound variables


def placeholder(conn: Connection) -> str:
    """The driver's positional placeholder."""
    return "?" if conn.dialect.paramstyle == "qmark" else "%s"


def placeholders(conn: Connection, count: int) -> str:
    return ", ".join([placeholder(conn)] * count)


def executemany(conn: Connection, statement: str, rows: Sequence[tuple]) -> None:
    """Run one statement for many rows straight through the DB-API driver.

    The hot write path skips SQLAlchemy's per-row parameter processing (measured: it
    cost more than the SQL itself). ``statement`` uses ``{}`` where placeholders go.
    """
    if rows:
        sql = statement.format(placeholders(conn, len(rows[0])))
        conn.exec_driver_sql(sql, list(rows))


def select_in(
    conn: Connection, statement: str, fixed: tuple, values: Sequence[Any]
) -> list[tuple]:
    """Run a SELECT with an ``IN`` list through the driver (no per-call compiling)."""
    mark = placeholder(conn)
    sql = statement.format(mark=mark, marks=", ".join([mark] * len(values)))
    return [tuple(row) for row in conn.exec_driver_sql(sql, (*fixed, *values))]


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
