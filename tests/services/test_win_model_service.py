"""The win-model use cases on a real workspace: train and store, read back, score, explain."""

from __future__ import annotations

import pickle
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
import sklearn
import sqlalchemy as sa
from sqlalchemy.orm import Session

from dealgraph.core.enums import DealStatus
from dealgraph.demo import build_demo
from dealgraph.errors import InvalidInput, NotFound
from dealgraph.planning.features import FEATURES_VERSION
from dealgraph.planning.win_model import Dataset, ModelReport, NotEnoughHistory, WinModel, fit_model
from dealgraph.services import win_model
from dealgraph.store import tables
from dealgraph.store.db import Database, open_database, sqlite_url
from dealgraph.store.deals import list_deals
from dealgraph.store.win_models import (
    StoredWinModel,
    add_win_model,
    count_win_models,
    latest_win_model,
)

AS_OF = datetime(2025, 6, 1)


def _copy(source: Path, target: Path) -> Database:
    for suffix in ("", "-wal"):
        if Path(f"{source}{suffix}").exists():
            shutil.copy(f"{source}{suffix}", f"{target}{suffix}")
    return open_database(sqlite_url(target))


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("win-model") / "demo.db"
    database = open_database(sqlite_url(path))
    try:
        build_demo(database, seed=7, as_of=AS_OF)
    finally:
        database.dispose()
    return path


@pytest.fixture(scope="module")
def trained_file(
    demo_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, ModelReport]:
    """The demo with a model trained on the fly: nothing was stored, so reading trains one."""
    path = tmp_path_factory.mktemp("win-model-trained") / "trained.db"
    database = _copy(demo_file, path)
    try:
        with pytest.MonkeyPatch.context() as patch, database.session() as session:
            patch.setattr(win_model, "now", lambda: AS_OF)
            assert count_win_models(session) == 0
            report = win_model.evaluate(session)
    finally:
        database.dispose()
    return path, report


@pytest.fixture
def trained(trained_file: tuple[Path, ModelReport], tmp_path: Path) -> Iterator[Session]:
    database = _copy(trained_file[0], tmp_path / "copy.db")
    try:
        with database.session() as session:
            yield session
    finally:
        database.dispose()


def test_a_model_trained_on_the_fly_is_stored_with_its_report(
    trained: Session, trained_file: tuple[Path, ModelReport]
) -> None:
    _, report = trained_file
    assert report.id is not None and report.trained_on == AS_OF
    assert report.beats_baseline
    stored = latest_win_model(trained)
    assert stored is not None and count_win_models(trained) == 1
    assert (stored.id, stored.kind, stored.trained_on) == (report.id, report.kind, AS_OF)
    assert (stored.n_train, stored.n_test) == (report.deals_train, report.deals_test)
    assert stored.features == report.features
    assert ModelReport.model_validate(stored.metrics["report"]) == report.model_copy(
        update={"id": None, "created_at": None}
    )


def test_evaluate_reads_the_stored_model_without_training_again(
    trained: Session, trained_file: tuple[Path, ModelReport]
) -> None:
    report = win_model.evaluate(trained)
    assert report == trained_file[1]
    assert count_win_models(trained) == 1


def test_every_open_deal_gets_a_probability_from_the_stored_model(
    trained: Session, trained_file: tuple[Path, ModelReport]
) -> None:
    scored = win_model.win_probabilities(trained, as_of=AS_OF)
    open_ids = {d.id for d in list_deals(trained, status=DealStatus.OPEN)}
    assert set(scored) == open_ids
    assert {s.model_id for s in scored.values()} == {trained_file[1].id}
    probabilities = np.array([s.probability for s in scored.values()])
    assert ((probabilities > 0) & (probabilities < 1)).all() and probabilities.std() > 0.01
    one = next(iter(scored))
    assert win_model.explain(trained, one, as_of=AS_OF) == scored[one]


def test_a_past_as_of_time_trains_in_memory_on_the_history_known_then(trained: Session) -> None:
    past = datetime(2025, 2, 1)
    closed_later = next(
        d
        for d in list_deals(trained)
        if d.closed_at is not None and d.closed_at > past and d.created_at < past
    )
    assert closed_later.id is not None
    scored = win_model.explain(trained, closed_later.id, as_of=past)
    assert scored.model_id is None and scored.trained_on == past
    assert count_win_models(trained) == 1


def test_only_deals_open_at_the_time_get_a_probability(trained: Session) -> None:
    closed = next(d for d in list_deals(trained) if d.status == DealStatus.LOST)
    with pytest.raises(InvalidInput, match=rf"deal {closed.id} was lost on ") as raised:
        win_model.explain(trained, closed.id or 0, as_of=AS_OF)
    assert raised.value.where == "deal_id"
    with pytest.raises(NotFound):
        win_model.explain(trained, 99_999, as_of=AS_OF)
    assert count_win_models(trained) == 1


def test_too_little_history_says_how_much_is_needed_and_stores_nothing(session: Session) -> None:
    with pytest.raises(NotEnoughHistory, match=r"at least 40 closed deals .* there are 0 "):
        win_model.train(session, as_of=AS_OF)
    assert count_win_models(session) == 0
    assert win_model.win_probabilities(session, as_of=AS_OF) == {}


def _small_model() -> WinModel:
    rng = np.random.default_rng(5)
    rows = [{"x": float(v), "segment": "a" if v > 0 else "b"} for v in rng.normal(size=200)]
    won = [bool(r["x"] + rng.normal() > 0) for r in rows]  # type: ignore[operator]
    data = Dataset(
        rows=rows,
        won=won,
        groups=list(range(200)),
        closed={},
        numeric=["x"],
        categorical=["segment"],
        baseline_fields=["segment"],
    )
    return fit_model("logistic", data)


def test_a_model_round_trips_through_the_database(session: Session) -> None:
    """On SQLite and on PostgreSQL: the blob and the JSON come back as they were written."""
    model = _small_model()
    rows = [{"x": 0.3, "segment": "a"}, {"x": -1.2, "segment": "b"}]
    add_win_model(
        session,
        model=StoredWinModel(
            created_at=datetime(2025, 1, 1),
            kind="logistic",
            trained_on=datetime(2024, 12, 31),
            n_train=150,
            n_test=50,
            metrics={"report": {"kind": "logistic"}, "list": [1, 2.5, None]},
            features=["x", "segment"],
            blob=pickle.dumps(model),
        ),
    )
    newer = add_win_model(
        session,
        model=StoredWinModel(
            created_at=datetime(2025, 2, 1),
            kind="boosting",
            trained_on=datetime(2025, 1, 31),
            n_train=1,
            n_test=1,
            metrics={},
            features=[],
            blob=pickle.dumps(model),
        ),
    )
    latest = latest_win_model(session)
    assert latest is not None and latest.id == newer.id and latest.kind == "boosting"
    first = (
        session.execute(sa.select(tables.win_models).where(tables.win_models.c.kind == "logistic"))
        .mappings()
        .one()
    )
    assert first["metrics"] == {"report": {"kind": "logistic"}, "list": [1, 2.5, None]}
    assert first["features"] == ["x", "segment"]
    loaded = pickle.loads(first["blob"])
    assert np.allclose(loaded.probabilities(rows), model.probabilities(rows))


def _stored(model: WinModel, **metrics: object) -> StoredWinModel:
    report = {
        "kind": "logistic",
        "trained_on": "2024-12-31T00:00:00",
        "cut": "2024-10-01T00:00:00",
        "deals_train": 150,
        "deals_test": 50,
        "rows_train": 150,
        "rows_test": 50,
        "metrics": {},
        "beats_baseline": False,
        "settings": {},
        "features": ["x", "segment"],
    }
    return StoredWinModel(
        created_at=datetime(2025, 1, 1),
        kind="logistic",
        trained_on=datetime(2024, 12, 31),
        n_train=150,
        n_test=50,
        metrics={"report": report} | metrics,
        features=["x", "segment"],
        blob=pickle.dumps(model),
    )


def test_the_stored_model_is_used_only_while_it_is_up_to_date(session: Session) -> None:
    """A model made by other features or another scikit-learn is not fed today's rows."""
    current = {"features_version": FEATURES_VERSION, "sklearn": sklearn.__version__}
    stored = add_win_model(session, model=_stored(_small_model(), **current))
    assert win_model.evaluate(session).id == stored.id
    stale = current | {"features_version": FEATURES_VERSION + 1}
    add_win_model(session, model=_stored(_small_model(), **stale))
    with pytest.raises(NotEnoughHistory):  # the stale one is passed over: train anew, but no data
        win_model.evaluate(session)
