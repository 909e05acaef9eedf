"""CRM import use case: a CSV export into the workspace, in the caller's one transaction.

Idempotent by external ids: every account, deal, stakeholder and stage change remembers the
``source`` it came from and its id there, so a second import of the same file finds them all
and creates nothing. ``on_error="stop"`` turns the first bad row into an ImportFailed naming
file, line and column (the caller rolls back: nothing is written); ``"skip"`` reports it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.orm import Session

from dealgraph.core.enums import DealStatus
from dealgraph.core.model import Account, Deal, StageChange, Stakeholder
from dealgraph.core.playbook.schema import Playbook
from dealgraph.errors import ImportFailed
from dealgraph.io.crm.generic import (
    ContactRoleIn,
    OpportunityIn,
    Parsed,
    RowParser,
    StageHistoryIn,
)
from dealgraph.io.crm.mapping import CrmMapping
from dealgraph.io.crm.presets import GENERIC_SOURCE, resolve
from dealgraph.io.crm.reader import (
    CsvRow,
    RowError,
    check_encoding,
    detect_encoding,
    read_rows,
)
from dealgraph.services.common import now, playbook_named
from dealgraph.services.import_counts import RecordCounts
from dealgraph.store.entities import ACCOUNT, DEAL, STAGE_CHANGE, STAKEHOLDER
from dealgraph.store.external import Change, find_external, save_external, stage_before

OnError = Literal["stop", "skip"]
MAX_REPORTED = 1000
CLOSED = frozenset({DealStatus.WON, DealStatus.LOST, DealStatus.NO_DECISION})


class SkippedRow(BaseModel):
    """A row left out of the import, and why."""

    model_config = ConfigDict(frozen=True)

    line: int
    column: str | None = None
    reason: str


class CrmImportSummary(RecordCounts):
    """What an import read and did, by kind of record (accounts, deals, ...)."""

    file: str
    format: str
    source: str
    encoding: str
    encoding_detected: bool
    rows_read: int = 0
    skipped: list[SkippedRow] = Field(default_factory=list, description="first 1,000")
    skipped_count: int = 0
    warnings: dict[str, int] = Field(default_factory=dict, description="note -> rows")


def import_crm(
    session: Session,
    path: Path,
    *,
    format_name: str,
    mapping: CrmMapping | None = None,
    encoding: str | None = None,
    on_error: OnError = "stop",
    as_of: datetime | None = None,
    on_bytes: Callable[[int], None] | None = None,
) -> CrmImportSummary:
    """Import one CRM export (``format_name`` is a preset of ``io.crm.presets``).

    ``encoding`` None detects UTF-8 (strict) or falls back to Windows-1252; ``as_of`` is the
    creation time given to opportunities whose file gives none (default: now); ``on_bytes``
    is called with the bytes read, for a progress bar.
    """
    preset, merged = resolve(format_name, mapping)
    merged.check_fields(preset.kind, where="mapping")
    playbook = playbook_named(merged.playbook)
    _check_stages(merged, playbook)
    parser = RowParser(merged, preset.kind)
    try:
        required = parser.required_columns
    except RowError as error:
        raise ImportFailed(error.message, where="mapping -> columns") from None
    chosen = check_encoding(encoding) if encoding else detect_encoding(path)
    run = _Run(
        session,
        merged,
        playbook,
        summary=CrmImportSummary(
            file=str(path),
            format=format_name,
            source=merged.source or GENERIC_SOURCE,
            encoding=chosen,
            encoding_detected=encoding is None,
        ),
        as_of=as_of or now(),
    )
    if merged.accounts is not None:
        run.load_accounts(merged)
    for row in read_rows(path, encoding=chosen, required=required, on_bytes=on_bytes):
        run.summary.rows_read += 1
        try:
            parsed, notes = parser.parse(row)
            run.write(parsed, row)
        except RowError as error:
            if on_error == "stop":
                column = f", column {error.column}" if error.column else ""
                raise ImportFailed(
                    error.message, where=f"{path}, line {row.line}{column}"
                ) from None
            run.skip(row.line, error.column, error.message)
            continue
        for note in notes:
            run.warn(note)
    return run.summary


def _check_stages(mapping: CrmMapping, playbook: Playbook) -> None:
    known = set(playbook.journey_order)
    for name, stage in mapping.stages.items():
        if stage is not None and stage not in known:
            raise ImportFailed(
                f"{stage!r} is not a stage of playbook {playbook.key!r}; valid: "
                f"{', '.join(playbook.journey_order)}",
                where=f"mapping -> stages -> {name}",
            )


class _Run:
    """The state of one import: the summary and the accounts met so far."""

    def __init__(
        self,
        session: Session,
        mapping: CrmMapping,
        playbook: Playbook,
        *,
        summary: CrmImportSummary,
        as_of: datetime,
    ) -> None:
        self.session = session
        self.mapping = mapping
        self.playbook = playbook
        self.summary = summary
        self.source = summary.source
        self.as_of = as_of
        self.account_ids: dict[str, int] = {}

    def count(self, kind: str, change: Change) -> None:
        """Add one record of ``kind`` to the created/updated/unchanged tallies."""
        tally = getattr(self.summary, change)
        tally[kind] = tally.get(kind, 0) + 1

    def warn(self, note: str) -> None:
        """Count one row under ``note``."""
        self.summary.warnings[note] = self.summary.warnings.get(note, 0) + 1

    def skip(self, line: int, column: str | None, reason: str) -> None:
        """Report a row left out."""
        self.summary.skipped_count += 1
        if len(self.summary.skipped) < MAX_REPORTED:
            self.summary.skipped.append(SkippedRow(line=line, column=column, reason=reason))

    # -- accounts -------------------------------------------------------------------------

    def load_accounts(self, mapping: CrmMapping) -> None:
        """Create or update the accounts of the mapping's accounts file (stop at a bad row)."""
        assert mapping.accounts is not None
        path = mapping.accounts.file
        columns = mapping.accounts.columns
        by_field = {field: column for column, field in columns.items()}
        if "name" not in by_field:
            raise ImportFailed("map one column to name", where="mapping -> accounts -> columns")
        for row in read_rows(path, encoding=detect_encoding(path), required=tuple(columns)):
            try:
                account = _account(row, by_field, self.source)
            except RowError as error:
                column = f", column {error.column}" if error.column else ""
                raise ImportFailed(
                    error.message, where=f"{path}, line {row.line}{column}"
                ) from None
            existing = find_external(
                self.session, ACCOUNT, source=self.source, external_id=account.name
            )
            change, stored = save_external(self.session, ACCOUNT, account, existing=existing)
            self.count("accounts", change)
            assert stored.id is not None
            self.account_ids[account.name] = stored.id

    def account_id(self, name: str | None) -> int | None:
        """The id of the account named ``name``, created (by name alone) when new."""
        if name is None:
            return None
        if name not in self.account_ids:
            existing = find_external(self.session, ACCOUNT, source=self.source, external_id=name)
            if existing is None:
                account = Account(name=name, external_id=name, source=self.source)
                existing = save_external(self.session, ACCOUNT, account, existing=None)[1]
                self.count("accounts", "created")
            else:
                self.count("accounts", "unchanged")
            assert existing.id is not None
            self.account_ids[name] = existing.id
        return self.account_ids[name]

    # -- rows -----------------------------------------------------------------------------

    def write(self, parsed: Parsed, row: CsvRow) -> None:
        """Save one parsed row; RowError when it cannot be (nothing of the row is written)."""
        if isinstance(parsed, OpportunityIn):
            self._opportunity(parsed)
        elif isinstance(parsed, StageHistoryIn):
            self._stage_change(parsed, row)
        else:
            self._contact_role(parsed)

    def _deal(self, external_id: str, column_field: str) -> Deal:
        deal = find_external(self.session, DEAL, source=self.source, external_id=external_id)
        if deal is None:
            raise RowError(
                f"no opportunity {external_id!r} imported from {self.source}; import the "
                "opportunities first",
                column=self.mapping.column_of(column_field),
            )
        return deal

    def _opportunity(self, item: OpportunityIn) -> None:
        existing = find_external(
            self.session, DEAL, source=self.source, external_id=item.external_id
        )
        created_at = item.created_at or (existing.created_at if existing else self.as_of)
        closed = item.status in CLOSED
        stage = item.stage
        if existing is not None and stage is None:
            stage = existing.stage
        stage_entered_at: datetime | None = created_at
        if existing is not None and existing.stage == stage:
            stage_entered_at = existing.stage_entered_at
        fields = {
            "title": item.title,
            "owner": item.owner,
            "value": item.value,
            "currency": item.currency,
            "created_at": created_at,
            "expected_close": item.close_date.date() if item.close_date else None,
            "playbook": self.playbook.key,
            "playbook_version": self.playbook.version,
            "stage": stage,
            "stage_entered_at": stage_entered_at if stage else None,
            "status": item.status,
            "closed_at": (item.close_date or created_at) if closed else None,
            "loss_reason": item.loss_reason if item.status != DealStatus.WON else "",
            "segment": item.segment,
            "external_id": item.external_id,
            "source": self.source,
        }
        try:
            deal = (existing or Deal(title="-", owner="-", created_at=created_at)).model_copy()
            deal = Deal.model_validate({**deal.model_dump(), **fields, "account_id": None})
        except ValidationError as error:
            first = error.errors()[0]
            field = str(first["loc"][0]) if first["loc"] else ""
            raise RowError(first["msg"], column=self.mapping.column_of(field) or field) from None
        deal = deal.model_copy(update={"account_id": self.account_id(item.account)})
        change, _ = save_external(self.session, DEAL, deal, existing=existing)
        self.count("deals", change)

    def _stage_change(self, item: StageHistoryIn, row: CsvRow) -> None:
        deal = self._deal(item.deal, "deal")
        if item.stage is None:
            reason = (
                f"stage {item.stage_name!r} is mapped to no stage"
                if item.stage_name in self.mapping.stages
                else f"stage {item.stage_name!r} is not in the mapping"
            )
            self.skip(row.line, self.mapping.column_of("stage"), reason)
            return
        assert deal.id is not None
        existing = find_external(
            self.session, STAGE_CHANGE, source=self.source, external_id=item.external_id
        )
        previous = stage_before(
            self.session,
            deal_id=deal.id,
            changed_at=item.changed_at,
            exclude_id=existing.id if existing else None,
        )
        change = StageChange(
            deal_id=deal.id,
            from_stage=previous,
            to_stage=item.stage,
            changed_at=item.changed_at,
            interaction_id=existing.interaction_id if existing else None,
            external_id=item.external_id,
            source=self.source,
        )
        result, _ = save_external(self.session, STAGE_CHANGE, change, existing=existing)
        self.count("stage_changes", result)

    def _contact_role(self, item: ContactRoleIn) -> None:
        deal = self._deal(item.deal, "deal")
        existing = find_external(
            self.session, STAKEHOLDER, source=self.source, external_id=item.external_id
        )
        base = existing or Stakeholder(name=item.name)
        try:
            person = Stakeholder.model_validate(
                {
                    **base.model_dump(),
                    "deal_id": deal.id,
                    "name": item.name,
                    "title": item.title,
                    "role": item.role,
                    "external_id": item.external_id,
                    "source": self.source,
                }
            )
        except ValidationError as error:
            first = error.errors()[0]
            field = str(first["loc"][0]) if first["loc"] else ""
            raise RowError(first["msg"], column=self.mapping.column_of(field) or field) from None
        result, _ = save_external(self.session, STAKEHOLDER, person, existing=existing)
        self.count("stakeholders", result)


def _account(row: CsvRow, by_field: dict[str, str], source: str) -> Account:
    name = row.get(by_field["name"])
    if not name:
        raise RowError("the account name is empty", column=by_field["name"])
    size_text = row.get(by_field.get("size"))
    size: int | None = None
    if size_text:
        try:
            size = int(float(size_text))
        except ValueError:
            raise RowError(f"{size_text!r} is not a number", column=by_field["size"]) from None
    try:
        return Account(
            name=name,
            industry=row.get(by_field.get("industry")),
            size=size if size else None,
            region=row.get(by_field.get("region")),
            external_id=name,
            source=source,
        )
    except ValidationError as error:
        raise RowError(error.errors()[0]["msg"], column=by_field["name"]) from None


__all__ = ["CrmImportSummary", "SkippedRow", "import_crm"]
