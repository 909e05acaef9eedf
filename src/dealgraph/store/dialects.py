"""Every difference between SQLite and PostgreSQL the store cares about, in one place."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

SQLITE_BUSY_TIMEOUT_MS = 10_000

# Plain JSON on both: PostgreSQL's ``json`` keeps the text as written (list order included),
# and SQLite stores it as text. Lists of keys and roles are small and never queried inside.
JSON_LIST = sa.JSON()


def is_sqlite(url_or_engine: str | Engine) -> bool:
    """True for a SQLite URL or engine."""
    name = url_or_engine.dialect.name if isinstance(url_or_engine, Engine) else url_or_engine
    return name.startswith("sqlite")


def is_postgres(url_or_engine: str | Engine) -> bool:
    """True for a PostgreSQL URL or engine."""
    name = url_or_engine.dialect.name if isinstance(url_or_engine, Engine) else url_or_engine
    return name.startswith("postgres")


def engine_options(url: str) -> dict[str, Any]:
    """Keyword arguments for ``create_engine`` suited to the dialect of ``url``."""
    if is_sqlite(url):
        # A workspace file is used from one process at a time, but the web server may
        # hand a connection to another thread.
        return {"connect_args": {"check_same_thread": False}}
    return {"pool_pre_ping": True}


def prepare_engine(engine: Engine) -> None:
    """Install per-connection settings (SQLite: foreign keys on, WAL journal, busy timeout)."""
    if not is_sqlite(engine):
        return

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite opens transactions itself; autocommit off here keeps PRAGMAs effective.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()


def insert_rows(session: Session, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """Insert many rows fast: executemany on SQLite, ``COPY ... FROM STDIN`` on PostgreSQL.

    psycopg runs an executemany as one statement per row, several times slower than COPY,
    which streams every row through the transaction's own connection.
    """
    if not rows:
        return
    dialect = session.get_bind().dialect
    if is_sqlite(dialect.name):
        _sqlite_executemany(session, table, rows, dialect)
        return
    if not is_postgres(dialect.name):
        session.execute(sa.insert(table), rows)
        return
    columns = list(rows[0])
    as_json = {c for c in columns if isinstance(table.c[c].type, sa.JSON)}
    driver = session.connection().connection.driver_connection
    assert driver is not None
    names = ", ".join(f'"{c}"' for c in columns)
    with (
        driver.cursor() as cursor,
        cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy,
    ):
        for row in rows:
            copy.write_row([json.dumps(row[c]) if c in as_json else row[c] for c in columns])


def _sqlite_executemany(
    session: Session, table: sa.Table, rows: list[dict[str, Any]], dialect: sa.Dialect
) -> None:
    """One sqlite3 executemany of tuples, values converted by the columns' own bind processors.

    Same rows as ``session.execute(insert(table), rows)`` writes, at about twice the speed:
    SQLAlchemy's per-row parameter dictionaries are what an import of many rows pays for.
    """
    compiled = sa.insert(table).compile(dialect=dialect, column_keys=list(rows[0]))
    # The compiled statement's positional order, not the rows' key order.
    order = list(compiled.positiontup or ())
    processors = [(name, _bind_processor(table.c[name].type, dialect)) for name in order]
    values = [
        tuple(process(row[name]) if process else row[name] for name, process in processors)
        for row in rows
    ]
    driver = session.connection().connection.driver_connection
    assert driver is not None
    driver.executemany(compiled.string, values)


def _bind_processor(
    column_type: sa.types.TypeEngine[Any], dialect: sa.Dialect
) -> Callable[[Any], Any] | None:
    process = column_type.dialect_impl(dialect).bind_processor(dialect)
    if process is None or not isinstance(column_type, sa.JSON):
        return process
    # Most JSON lists written in bulk are empty: encode that one value once.
    empty = process([])
    return lambda value: empty if value == [] else process(value)


def reset_sequences(session: Session, tables: list[sa.Table]) -> None:
    """After inserting explicit ids, move PostgreSQL's id sequences past the highest id.

    SQLite picks ``max(rowid) + 1`` by itself, so there is nothing to do there.
    """
    bind = session.get_bind()
    if not is_postgres(bind.dialect.name):
        return
    for table in tables:
        if "id" not in table.c:
            continue
        session.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table.name}), 1), "
                f"(SELECT MAX(id) FROM {table.name}) IS NOT NULL)"
            )
        )
