"""Rows to records: one mapping-driven parser for every preset and the generic CSV.

The parser turns a :class:`CsvRow` into a plain record (``OpportunityIn``,
``StageHistoryIn`` or ``ContactRoleIn``) plus notes on what it had to assume; it never
touches the database. A value that cannot be read raises :class:`RowError` naming its column.
"""

from __future__ import annotations

import re
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from dealgraph.core.enums import DealStatus, Role
from dealgraph.io.crm.mapping import CrmMapping, Kind
from dealgraph.io.crm.reader import (
    CsvRow,
    RowError,
    parse_amount,
    parse_datetime,
    parse_flag,
)

PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
MAX_TEXT = 200


class OpportunityIn(BaseModel):
    """An opportunity as read from a CRM row, before it meets the workspace."""

    model_config = ConfigDict(frozen=True)

    external_id: str
    title: str
    account: str | None
    owner: str
    value: float
    currency: str
    created_at: datetime | None
    close_date: datetime | None
    stage_name: str
    stage: str | None
    status: DealStatus
    segment: str
    loss_reason: str


class StageHistoryIn(BaseModel):
    """One row of a stage history: the opportunity entered ``stage`` at ``changed_at``."""

    model_config = ConfigDict(frozen=True)

    external_id: str
    deal: str
    stage_name: str
    stage: str | None
    changed_at: datetime


class ContactRoleIn(BaseModel):
    """A person's role on one opportunity."""

    model_config = ConfigDict(frozen=True)

    external_id: str
    deal: str
    name: str
    title: str
    role_name: str
    role: Role


Parsed = OpportunityIn | StageHistoryIn | ContactRoleIn


class RowParser:
    """Reads rows of one kind through a mapping; ``required_columns`` must be in the header."""

    def __init__(self, mapping: CrmMapping, kind: Kind) -> None:
        self.mapping = mapping
        self.kind = kind

    @property
    def required_columns(self) -> tuple[str, ...]:
        """The mapped columns the file must have (optional fields may be absent)."""
        needed = {
            "opportunity": ("external_id",),
            "stage_history": ("external_id", "deal", "stage", "changed_at"),
            "contact_role": ("external_id", "deal", "name"),
        }[self.kind]
        columns = [self.mapping.column_of(field) for field in needed]
        missing = [f for f, c in zip(needed, columns, strict=True) if c is None]
        if missing:
            raise RowError(f"the mapping names no column for {', '.join(missing)}")
        return tuple(c for c in columns if c is not None)

    def parse(self, row: CsvRow) -> tuple[Parsed, list[str]]:
        """The record of one row and notes (unmapped names, assumed values)."""
        notes: list[str] = []
        if self.kind == "opportunity":
            return self._opportunity(row, notes), notes
        if self.kind == "stage_history":
            return self._history(row, notes), notes
        return self._contact_role(row, notes), notes

    # -- values ---------------------------------------------------------------------------

    def text(self, row: CsvRow, field: str) -> str:
        """The normalised text of the column mapped to ``field`` ('' when unmapped or empty)."""
        column = self.mapping.column_of(field)
        raw = row.get(column)
        if column is not None:
            raw = self.mapping.values.get(column, {}).get(raw, raw)
        if len(raw) > MAX_TEXT and field not in {"loss_reason"}:
            raise RowError(f"longer than {MAX_TEXT} characters", column=column)
        return raw

    def required(self, row: CsvRow, field: str) -> str:
        """Like ``text`` but empty is an error naming the column."""
        value = self.text(row, field)
        if not value:
            raise RowError(f"{field} is empty", column=self.mapping.column_of(field))
        return value

    def when(self, row: CsvRow, field: str) -> datetime | None:
        """The date-time of ``field`` or None when empty."""
        value = self.text(row, field)
        if not value:
            return None
        return parse_datetime(
            value, column=self.mapping.column_of(field), date_format=self.mapping.date_format
        )

    def stage_of(self, name: str, notes: list[str]) -> str | None:
        """The playbook stage of a CRM stage name (None, with a note, when unmapped)."""
        if name in self.mapping.stages:
            return self.mapping.stages[name]
        if name:
            notes.append(f"stage {name!r} is not in the mapping")
        return None

    def _title(self, row: CsvRow) -> str:
        template = self.mapping.title
        if template is None:
            return self.text(row, "title") or self.required(row, "external_id")

        def fill(match: re.Match[str]) -> str:
            column = match.group(1)
            raw = row.get(column)
            return self.mapping.values.get(column, {}).get(raw, raw) or "?"

        return PLACEHOLDER.sub(fill, template).strip()[:MAX_TEXT] or self.required(
            row, "external_id"
        )

    # -- kinds ----------------------------------------------------------------------------

    def _opportunity(self, row: CsvRow, notes: list[str]) -> OpportunityIn:
        stage_name = self.text(row, "stage")
        account = self.text(row, "account") or None
        if account is None:
            account = self.mapping.placeholder_account
            column = self.mapping.column_of("account") or "account"
            notes.append(
                f"{column} empty: placed under {account!r}"
                if account
                else f"{column} empty: the deal has no account"
            )
        value_text = self.text(row, "value")
        created_at = self.when(row, "created_at")
        if created_at is None:
            column = self.mapping.column_of("created_at") or "created_at"
            notes.append(f"{column} empty: created_at is the time of the first import")
        return OpportunityIn(
            external_id=self.required(row, "external_id"),
            title=self._title(row),
            account=account,
            owner=self.text(row, "owner") or "unassigned",
            value=parse_amount(value_text, column=self.mapping.column_of("value"))
            if value_text
            else 0.0,
            currency=self.text(row, "currency").upper() or self.mapping.currency,
            created_at=created_at,
            close_date=self.when(row, "close_date"),
            stage_name=stage_name,
            stage=self.stage_of(stage_name, notes),
            status=self._status(row, stage_name),
            segment=self.text(row, "segment")[:80],
            loss_reason=self.text(row, "loss_reason"),
        )

    def _status(self, row: CsvRow, stage_name: str) -> DealStatus:
        if stage_name in self.mapping.statuses:
            return self.mapping.statuses[stage_name]
        if self.mapping.column_of("is_closed") is not None:
            closed = parse_flag(
                self.text(row, "is_closed"), column=self.mapping.column_of("is_closed")
            )
            won = parse_flag(self.text(row, "is_won"), column=self.mapping.column_of("is_won"))
            if not closed:
                return DealStatus.OPEN
            return DealStatus.WON if won else DealStatus.LOST
        status = self.text(row, "status").lower()
        if not status:
            return DealStatus.OPEN
        try:
            return DealStatus(status)
        except ValueError:
            valid = ", ".join(s.value for s in DealStatus)
            raise RowError(
                f"status {status!r} is not one of {valid}", column=self.mapping.column_of("status")
            ) from None

    def _history(self, row: CsvRow, notes: list[str]) -> StageHistoryIn:
        stage_name = self.required(row, "stage")
        changed_at = self.when(row, "changed_at")
        if changed_at is None:
            raise RowError("changed_at is empty", column=self.mapping.column_of("changed_at"))
        return StageHistoryIn(
            external_id=self.required(row, "external_id"),
            deal=self.required(row, "deal"),
            stage_name=stage_name,
            stage=self.stage_of(stage_name, notes),
            changed_at=changed_at,
        )

    def _contact_role(self, row: CsvRow, notes: list[str]) -> ContactRoleIn:
        role_name = self.text(row, "role")
        role = self.mapping.roles.get(role_name)
        if role is None:
            role = Role.OTHER
            if role_name:
                notes.append(f"role {role_name!r} is not in the mapping")
        return ContactRoleIn(
            external_id=self.required(row, "external_id"),
            deal=self.required(row, "deal"),
            name=self.required(row, "name"),
            title=self.text(row, "title"),
            role_name=role_name,
            role=role,
        )
