"""Suite-wide fixtures: every test runs isolated (temp data dir, no colour, fixed width, seeds)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

pytest_plugins = ["tests.db_fixtures"]

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point every setting at a temp dir and pin what could make output vary."""
    data_dir = tmp_path / "dealgraph-data"
    data_dir.mkdir()
    for name in ("DEALGRAPH_DATABASE_URL", "DEALGRAPH_DATA_DIR", "DEALGRAPH_ECHO_SQL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DEALGRAPH_DATA_DIR", str(data_dir))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("TERM", "dumb")
    random.seed(1234)
    np.random.seed(1234)  # noqa: NPY002 - legacy global seed for any library that uses it
    yield data_dir
