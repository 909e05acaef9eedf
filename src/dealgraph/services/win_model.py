"""Use cases of the win-probability model: train it, read its report, score and explain deals.

Trained models live in the workspace's ``win_models`` table; the newest one is used. When
none is there (or it was made by another version of the features or of scikit-learn),
scoring trains one on the fly, provided the workspace has enough closed deals. Asking
for probabilities as of a moment before the stored model's training time trains a model
on the history known then (kept in memory only), so a backtest never sees later outcomes.

Example:
    >>> report = train(session)  # doctest: +SKIP
    >>> scored = win_probabilities(session)  # doctest: +SKIP
    >>> scored[12].probability, scored[12].explanation.down[0].said  # doctest: +SKIP
    (0.41, 'Economic buyer not engaged (−0.42 log-odds)')
"""

from __future__ import annotations

import pickle
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

import sklearn
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from dealgraph.core.enums import DealStatus
from dealgraph.core.model import DealRecord
from dealgraph.errors import InvalidInput, NotFound
from dealgraph.planning.features import FEATURES_VERSION, describe, open_snapshot
from dealgraph.planning.features import workspace_dataset as build_dataset
from dealgraph.planning.tabular import TableResult, train_table
from dealgraph.planning.win_model import Explanation, ModelReport, WinModel, train_and_compare
from dealgraph.services.common import now, playbook_named
from dealgraph.store.deals import load_deal_record, load_deal_records
from dealgraph.store.users import user_teams
from dealgraph.store.win_models import StoredWinModel, add_win_model, latest_win_model


class Scored(BaseModel):
    """One open deal's win probability, the factors behind it and the model that gave it."""

    model_config = ConfigDict(extra="forbid")

    deal_id: int
    title: str
    as_of: datetime
    probability: float
    explanation: Explanation
    model_id: int | None = Field(description="None: trained in memory for a past as-of time")
    model_kind: str
    trained_on: datetime | None


def _as_of(as_of: datetime | None) -> datetime:
    return as_of if as_of is not None else now()


def _fit(
    session: Session, records: list[DealRecord], as_of: datetime
) -> tuple[ModelReport, WinModel]:
    playbooks = {key: playbook_named(key) for key in sorted({r.deal.playbook for r in records})}
    data = build_dataset(records, playbooks, teams=user_teams(session), as_of=as_of)
    return train_and_compare(data, trained_on=as_of)


def _store(session: Session, report: ModelReport, model: WinModel) -> ModelReport:
    assert report.trained_on is not None
    stored = add_win_model(
        session,
        model=StoredWinModel(
            created_at=now(),
            kind=report.kind,
            trained_on=report.trained_on,
            n_train=report.deals_train,
            n_test=report.deals_test,
            metrics={
                "report": report.model_dump(mode="json"),
                "features_version": FEATURES_VERSION,
                "sklearn": sklearn.__version__,
            },
            features=report.features,
            blob=pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL),
        ),
    )
    return report.model_copy(update={"id": stored.id, "created_at": stored.created_at})


def train(session: Session, *, as_of: datetime | None = None) -> ModelReport:
    """Train both models on the deals closed by ``as_of`` (default now), keep the better one.

    NotEnoughHistory (a Conflict) when fewer than 40 deals closed or an outcome is too rare.
    """
    moment = _as_of(as_of)
    report, model = _fit(session, load_deal_records(session), moment)
    return _store(session, report, model)


def _latest(session: Session) -> tuple[ModelReport, WinModel] | None:
    """The stored model in use, or None when there is none or it is out of date."""
    row = latest_win_model(session)
    if row is None:
        return None
    if (
        row.metrics.get("features_version") != FEATURES_VERSION
        or row.metrics.get("sklearn") != sklearn.__version__
    ):
        return None
    # The blob was written by _store into this workspace's own table: trusted like the data.
    model = pickle.loads(row.blob)
    if not isinstance(model, WinModel):
        return None
    report = ModelReport.model_validate(row.metrics["report"])
    return report.model_copy(update={"id": row.id, "created_at": row.created_at}), model


def _model_for(
    session: Session, as_of: datetime | None, records: list[DealRecord] | None = None
) -> tuple[ModelReport, WinModel]:
    latest = _latest(session)
    if latest is not None and (
        as_of is None or latest[0].trained_on is None or as_of >= latest[0].trained_on
    ):
        return latest
    records = records if records is not None else load_deal_records(session)
    if as_of is None:
        report, model = _fit(session, records, now())
        return _store(session, report, model), model
    return _fit(session, records, as_of)


def latest_report(session: Session) -> ModelReport:
    """The report of the stored model in use; NotFound when none is stored (or it is stale)."""
    latest = _latest(session)
    if latest is None:
        raise NotFound("win model", "latest")
    return latest[0]


def evaluate(session: Session) -> ModelReport:
    """The report of the model in use (trained now if there is none yet)."""
    report, _ = _model_for(session, None)
    return report


def _open_at(record: DealRecord, moment: datetime) -> bool:
    deal = record.deal
    if deal.created_at > moment:
        return False
    if deal.status == DealStatus.OPEN:
        return True
    return deal.closed_at is not None and deal.closed_at > moment


ENDED = {
    DealStatus.WON: "was won",
    DealStatus.LOST: "was lost",
    DealStatus.NO_DECISION: "ended with no decision",
}


def _not_open(record: DealRecord, moment: datetime) -> str:
    deal = record.deal
    if deal.created_at > moment:
        return f"was created later, on {deal.created_at:%Y-%m-%d}"
    closed = f" on {deal.closed_at:%Y-%m-%d}" if deal.closed_at is not None else ""
    return ENDED.get(deal.status, deal.status.value) + closed


def _chosen(
    records: Sequence[DealRecord], deal_ids: Iterable[int] | None, moment: datetime
) -> list[DealRecord]:
    if deal_ids is None:
        return [r for r in records if _open_at(r, moment)]
    by_id = {r.deal.id: r for r in records}
    chosen = []
    for deal_id in deal_ids:
        record = by_id.get(deal_id)
        if record is None:
            raise NotFound("deal", deal_id)
        if not _open_at(record, moment):
            raise InvalidInput(
                f"deal {deal_id} {_not_open(record, moment)}: only deals open at "
                f"{moment:%Y-%m-%d %H:%M} get a win probability",
                where="deal_id",
            )
        chosen.append(record)
    return chosen


def win_probabilities(
    session: Session,
    deal_ids: Iterable[int] | None = None,
    as_of: datetime | None = None,
) -> dict[int, Scored]:
    """P(won) and its explanation for open deals (all of them, or ``deal_ids``), by deal id.

    Unknown ids are NotFound; deals not open at ``as_of`` are InvalidInput.
    """
    moment = _as_of(as_of)
    # A deal page asks for one deal: read just that record; the whole workspace is read
    # only when every open deal is scored or a model has to be trained first.
    records: list[DealRecord] | None = None
    if deal_ids is None:
        records = load_deal_records(session)
        chosen = _chosen(records, None, moment)
    else:
        wanted = list(deal_ids)
        asked = [load_deal_record(session, deal_id=i) for i in dict.fromkeys(wanted)]
        chosen = _chosen(asked, wanted, moment)
    if not chosen:
        return {}
    report, model = _model_for(session, as_of, records)
    teams = user_teams(session)
    playbooks = {key: playbook_named(key) for key in sorted({r.deal.playbook for r in chosen})}
    scored: dict[int, Scored] = {}
    for record in chosen:
        snapshot = open_snapshot(record, playbooks[record.deal.playbook], moment, teams=teams)
        explanation = model.explain(snapshot.values, describe)
        scored[snapshot.deal_id] = Scored(
            deal_id=snapshot.deal_id,
            title=record.deal.title,
            as_of=moment,
            probability=explanation.probability,
            explanation=explanation,
            model_id=report.id,
            model_kind=report.kind,
            trained_on=report.trained_on,
        )
    return scored


def explain(session: Session, deal_id: int, *, as_of: datetime | None = None) -> Scored:
    """One open deal's win probability and the factors that raise and lower it."""
    return win_probabilities(session, [deal_id], as_of)[deal_id]


def train_table_file(
    path: str | Path,
    *,
    target: str,
    won: Sequence[str],
    lost: Sequence[str],
    date: str | None = None,
    ignore: Sequence[str] = (),
    id_column: str | None = None,
    encoding: str | None = None,
) -> TableResult:
    """Train and judge a win model on an opportunities CSV; score its open rows.

    The workspace is not touched: nothing is stored.
    """
    from dealgraph.io.crm.reader import check_encoding, detect_encoding, read_rows

    file = Path(path)
    chosen = check_encoding(encoding) if encoding else detect_encoding(file)
    rows = [(row.line, row.values) for row in read_rows(file, encoding=chosen)]
    if not rows:
        raise InvalidInput("the table has no data rows", where=str(file))
    header = list(rows[0][1])
    return train_table(
        header,
        rows,
        target=target,
        won=won,
        lost=lost,
        date=date,
        ignore=ignore,
        id_column=id_column,
    )
