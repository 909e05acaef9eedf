"""Whole-workspace use cases: export, import, and what the workspace holds."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from dealgraph.io import native_json
from dealgraph.io.native_json import ImportSummary


def export_workspace(session: Session) -> dict[str, Any]:
    """The whole workspace as a native JSON document (see ``io.native_json``)."""
    return native_json.export_workspace(session)


def import_workspace(session: Session, document: object) -> ImportSummary:
    """Load a native JSON document into this empty workspace, in the session's transaction.

    Raises ImportFailed (naming record and field) or Conflict when the workspace is not
    empty; the caller's transaction must then be rolled back, as ``Database.session`` does.
    """
    return native_json.import_workspace(session, document)


def workspace_summary(session: Session) -> dict[str, int]:
    """How many records of each kind the workspace holds, by section name."""
    return {
        name: session.execute(sa.select(sa.func.count()).select_from(entity.table)).scalar_one()
        for name, entity in native_json.SECTIONS
    }
