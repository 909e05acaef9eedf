"""Trained win-probability models: one row per training, the newest is the one in use.

The model itself is a pickled blob written by the services and read back only from this
table (never from a file or a request), so it is as trusted as the workspace itself.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from dealgraph.store import tables


class StoredWinModel(BaseModel):
    """A row of ``win_models``."""

    model_config = ConfigDict(extra="forbid")

    id: int | None = None
    created_at: datetime
    kind: str = Field(max_length=40)
    trained_on: datetime = Field(description="the history as of this time was learned from")
    n_train: int = Field(ge=0, description="deals it was judged after learning from")
    n_test: int = Field(ge=0, description="held-out deals it was judged on")
    metrics: dict[str, Any] = Field(description="the training report")
    features: list[str]
    blob: bytes = Field(repr=False)


def add_win_model(session: Session, *, model: StoredWinModel) -> StoredWinModel:
    """Store a trained model; returns it with its id."""
    table = tables.win_models
    row = model.model_dump(exclude={"id"})
    new_id: int = session.execute(sa.insert(table).values(row).returning(table.c.id)).scalar_one()
    return model.model_copy(update={"id": new_id})


def latest_win_model(session: Session) -> StoredWinModel | None:
    """The newest model (by creation time, then id), or None when none was trained."""
    table = tables.win_models
    query = sa.select(table).order_by(table.c.created_at.desc(), table.c.id.desc()).limit(1)
    row = session.execute(query).mappings().first()
    return StoredWinModel.model_validate(dict(row)) if row is not None else None


def count_win_models(session: Session) -> int:
    """How many models were trained and kept."""
    return int(
        session.execute(sa.select(sa.func.count()).select_from(tables.win_models)).scalar_one()
    )
