"""Native JSON import of the demo workspace against raw sqlite3 inserts of the same rows.

The peer writes exactly the rows our import writes (read back from our database), with
``executemany`` on the standard library's sqlite3 module in one transaction: no
validation, no reference checks, no ORM. It is the floor for getting those rows on disk.
"""

from __future__ import annotations

import sqlite3
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.timing import best_of
from dealgraph.demo import build_demo_document
from dealgraph.services.workspace import import_workspace
from dealgraph.store.db import open_database, sqlite_url

AS_OF = datetime(2026, 11, 23, 12, 0)


def _import(document: dict[str, Any], path: Path) -> None:
    path.unlink(missing_ok=True)
    database = open_database(sqlite_url(path))
    try:
        with database.session() as session:
            import_workspace(session, document)
    finally:
        database.dispose()


def _read_rows(source: Path) -> dict[str, list[Any]]:
    read = sqlite3.connect(source)
    try:
        tables = [
            name
            for (name,) in read.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name != 'alembic_version'"
            )
        ]
        return {t: read.execute(f'SELECT * FROM "{t}"').fetchall() for t in tables}
    finally:
        read.close()


def _write_rows(data: dict[str, list[Any]], target: Path, template: Path) -> None:
    target.unlink(missing_ok=True)
    target.write_bytes(template.read_bytes())
    write = sqlite3.connect(target)
    try:
        with write:
            for table, rows in data.items():
                if rows:
                    marks = ",".join("?" * len(rows[0]))
                    write.executemany(f'INSERT INTO "{table}" VALUES ({marks})', rows)
    finally:
        write.close()


def run() -> dict[str, Any]:
    document = build_demo_document(seed=7, as_of=AS_OF)
    rows = sum(len(v) for v in document.values() if isinstance(v, list))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ours_path, peer_path, empty = folder / "ours.db", folder / "peer.db", folder / "empty.db"
        open_database(sqlite_url(empty)).dispose()  # an empty, migrated schema to copy into
        ours = best_of(lambda: _import(document, ours_path), repeat=3)
        rows_on_disk = _read_rows(ours_path)
        peer = best_of(lambda: _write_rows(rows_on_disk, peer_path, empty), repeat=3)
    return {
        "name": f"native JSON import of the demo ({rows:,} records, SQLite)",
        "peer": "raw sqlite3 executemany of the same rows",
        "seconds": ours,
        "peer_seconds": peer,
        "ratio": ours / peer,
        "detail": f"{ours:.2f} s vs {peer:.2f} s",
    }
