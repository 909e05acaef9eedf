"""The writing half of an event-log import: records found by external id, batched, bulk-written.

The writer preloads what the source already holds (deals, accounts, and the stage changes and
interactions by external id), so a record that is already there costs a dict lookup, not a
query. New rows wait in batches of a few thousand and go in with one bulk insert each; deals
go first (their children need the ids) and each deal's final state (stage, status, created
time) is settled once the whole log is read.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from dealgraph.core.enums import DealStatus, Direction
from dealgraph.core.model import Account, Deal
from dealgraph.core.playbook.schema import Playbook
from dealgraph.io.eventlog_mapping import EventLogMapping
from dealgraph.services.eventlog_summary import EventLogImportSummary
from dealgraph.store import bulk, records, tables
from dealgraph.store.entities import ACCOUNT, DEAL
from dealgraph.store.external import Change
from dealgraph.store.records import select

BATCH_ROWS = 5000
# Deal fields an event log decides; the others (title, value, segment...) stay as they are.
LOG_FIELDS = (
    "account_id",
    "owner",
    "created_at",
    "playbook",
    "playbook_version",
    "stage",
    "stage_entered_at",
    "status",
    "closed_at",
)
TOUCH_FIELDS = ("occurred_at", "channel", "summary", "seller", "outcome")
EventKey = tuple[datetime, int]  # (timestamp, number in the case): the order of a case
TWO_WAY = Direction.TWO_WAY.value  # enum .value is a descriptor call: read it once


class CaseState:
    """What the import knows of one case: its deal and what its events decided so far."""

    __slots__ = (
        "account",
        "close_key",
        "closed_at",
        "deal_id",
        "external_id",
        "first_at",
        "imported",
        "inserted",
        "ordinal",
        "owner",
        "stage",
        "stage_key",
        "status",
    )

    def __init__(self, external_id: str, deal_id: int | None) -> None:
        self.external_id = external_id
        self.deal_id = deal_id
        self.ordinal = 0  # events of the case met so far, bad ones included
        self.imported = False  # at least one event of the case was imported
        self.first_at: datetime | None = None
        self.owner: str | None = None
        self.account: str | None = None
        self.stage: str | None = None
        self.stage_key: EventKey | None = None
        self.status = DealStatus.OPEN
        self.closed_at: datetime | None = None
        self.close_key: EventKey | None = None
        self.inserted: dict[str, Any] | None = None  # LOG_FIELDS as first written


class RecordWriter:
    """Creates, updates or leaves alone the records of one import, in the caller's session."""

    def __init__(
        self,
        session: Session,
        summary: EventLogImportSummary,
        *,
        mapping: EventLogMapping,
        playbook: Playbook,
    ) -> None:
        self.session = session
        self.summary = summary
        self.source = summary.source
        self.mapping = mapping
        self.playbook = playbook
        self.waits_for_account = mapping.column_of("account") is not None
        self.sellers = bulk.known_sellers(session)
        self.deals = {
            d.external_id: d
            for d in select(session, DEAL, where=[tables.deals.c.source == self.source])
            if d.external_id is not None
        }
        self.account_ids = {
            a.external_id: a.id
            for a in select(session, ACCOUNT, where=[tables.accounts.c.source == self.source])
            if a.external_id is not None and a.id is not None
        }
        self.accounts_counted: set[str] = set()
        self.stages = bulk.external_rows(
            session,
            tables.stage_changes,
            source=self.source,
            columns=("deal_id", "to_stage", "changed_at"),
        )
        self.touches = bulk.external_rows(
            session,
            tables.interactions,
            source=self.source,
            columns=("deal_id", *TOUCH_FIELDS),
        )
        self.cases: dict[str, CaseState] = {}
        # Children counted here and handed to the summary at the end (one dict op per event).
        self.tally: Counter[tuple[str, Change]] = Counter()
        self.deal_template = DEAL.to_row(Deal(title="-", owner="-", created_at=datetime.min))
        self.new_cases: list[CaseState] = []
        self.stage_rows: list[tuple[CaseState, dict[str, Any]]] = []
        self.touch_rows: list[tuple[CaseState, dict[str, Any]]] = []
        self.stage_updates: list[tuple[CaseState, dict[str, Any]]] = []
        self.touch_updates: list[tuple[CaseState, dict[str, Any]]] = []
        self.replaced_stages: list[int] = []
        self.replaced_touches: list[int] = []

    # -- cases ----------------------------------------------------------------------------

    def case(self, case_id: str) -> CaseState:
        """The state of a case, its deal found by external id when it was imported before."""
        case = self.cases.get(case_id)
        if case is None:
            existing = self.deals.get(case_id)
            case = CaseState(case_id, existing.id if existing else None)
            self.cases[case_id] = case
        return case

    def begin(
        self, case: CaseState, *, at: datetime, resource: str | None, account: str | None
    ) -> bool:
        """Take an event's time, resource and account into its case; True for a case's first."""
        first = not case.imported
        if first:
            case.imported = True
            case.owner = resource
            if case.deal_id is None:
                self.new_cases.append(case)
        if case.account is None and account:
            case.account = account
        if case.first_at is None or at < case.first_at:
            case.first_at = at
        return first

    @staticmethod
    def close(case: CaseState, status: DealStatus, key: EventKey) -> None:
        """Close the case's deal, unless a later event already did."""
        if case.close_key is None or key > case.close_key:
            case.status, case.closed_at, case.close_key = status, key[0], key

    # -- children -------------------------------------------------------------------------

    def replace(self, external_id: str, *, keep: str | None) -> None:
        """Drop a record of another kind left under this id by an import with another mapping."""
        if not (self.stages or self.touches):
            return  # nothing imported before (or all of it met already)
        if keep != "stage_changes" and (old := self.stages.pop(external_id, None)):
            self.replaced_stages.append(old[0])
            self.summary.warn("events imported before as a stage change were replaced")
        if keep != "interactions" and (old := self.touches.pop(external_id, None)):
            self.replaced_touches.append(old[0])
            self.summary.warn("events imported before as an interaction were replaced")

    def stage_change(self, case: CaseState, *, stage: str, key: EventKey, external_id: str) -> None:
        """Record the case's move into ``stage`` at ``key``'s time."""
        at = key[0]
        previous = case.stage
        if case.stage_key is None or key > case.stage_key:
            case.stage, case.stage_key = stage, key
        self.replace(external_id, keep="stage_changes")
        existing = self.stages.pop(external_id, None)
        if existing is not None:
            change_id, deal_id, to_stage, changed_at = existing
            if (deal_id, to_stage, changed_at) == (case.deal_id, stage, at):
                self.tally["stage_changes", "unchanged"] += 1
                return
            self.stage_updates.append(
                (case, {"id": change_id, "to_stage": stage, "changed_at": at})
            )
            self.tally["stage_changes", "updated"] += 1
            return
        row = {
            "deal_id": case.deal_id,
            # Right for a case logged in time order; finish() mends the others.
            "from_stage": previous if case.stage_key == key else None,
            "to_stage": stage,
            "changed_at": at,
            "interaction_id": None,
            "external_id": external_id,
            "source": self.source,
        }
        self.stage_rows.append((case, row))
        self.tally["stage_changes", "created"] += 1
        self._flush_if_full()

    def interaction(self, case: CaseState, fields: dict[str, Any], *, external_id: str) -> None:
        """Record a touch; ``fields`` holds the TOUCH_FIELDS (enum values as strings)."""
        self.replace(external_id, keep="interactions")
        existing = self.touches.pop(external_id, None)
        if existing is not None:
            touch_id, deal_id, *stored = existing
            if deal_id == case.deal_id and stored == [fields[name] for name in TOUCH_FIELDS]:
                self.tally["interactions", "unchanged"] += 1
                return
            self.touch_updates.append((case, {"id": touch_id, **fields}))
            self.tally["interactions", "updated"] += 1
            return
        row = {
            "deal_id": case.deal_id,
            **fields,
            "direction": TWO_WAY,
            "play": None,
            "evidence": [],
            "external_id": external_id,
            "source": self.source,
        }
        self.touch_rows.append((case, row))
        self.tally["interactions", "created"] += 1
        self._flush_if_full()

    # -- writing --------------------------------------------------------------------------

    def _flush_if_full(self) -> None:
        if len(self.stage_rows) + len(self.touch_rows) >= BATCH_ROWS:
            self.flush()

    def flush(self) -> None:
        """Write what is batched: new deals first (children need their ids), then children."""
        if self.new_cases:
            rows = [self._deal_row(case) for case in self.new_cases]
            ids = bulk.insert_with_ids(self.session, tables.deals, rows, source=self.source)
            for case, row in zip(self.new_cases, rows, strict=True):
                case.deal_id = ids[case.external_id]
                case.inserted = {name: row[name] for name in LOG_FIELDS}
            self.summary.count("deals", "created", len(rows))
            self.new_cases = []
        batches = (
            (self.stage_rows, tables.stage_changes, bulk.insert_many),
            (self.touch_rows, tables.interactions, bulk.insert_many),
            (self.stage_updates, tables.stage_changes, bulk.update_many),
            (self.touch_updates, tables.interactions, bulk.update_many),
        )
        for batch, table, write in batches:
            for case, row in batch:
                row["deal_id"] = case.deal_id
            write(self.session, table, [row for _, row in batch])
            batch.clear()

    def finish(self) -> None:
        """Flush, settle every deal's final state, drop replaced records, mend from_stage."""
        for (kind, change), n in self.tally.items():
            self.summary.count(kind, change, n)
        self.flush()
        self._settle_deals()
        bulk.delete_ids(self.session, tables.stage_changes, self.replaced_stages)
        bulk.delete_ids(self.session, tables.interactions, self.replaced_touches)
        fixes = bulk.stage_origin_fixes(self.session, source=self.source)
        bulk.update_many(self.session, tables.stage_changes, fixes)

    def _settle_deals(self) -> None:
        fresh: list[dict[str, Any]] = []
        stale: list[dict[str, Any]] = []
        for case in self.cases.values():
            if not case.imported:
                continue
            final = self._log_fields(case)
            if case.inserted is not None:  # written by this import: no new version
                if final != case.inserted:
                    fresh.append({"id": case.deal_id, **final})
                continue
            existing = self.deals[case.external_id]
            if case.owner not in self.sellers:
                final["owner"] = existing.owner  # the log names no seller: keep the owner
            if final == {name: getattr(existing, name) for name in LOG_FIELDS}:
                self.summary.count("deals", "unchanged")
                continue
            stale.append({"id": existing.id, **final, "version": existing.version + 1})
            self.summary.count("deals", "updated")
        bulk.update_many(self.session, tables.deals, fresh)
        bulk.update_many(self.session, tables.deals, stale)

    def _deal_row(self, case: CaseState) -> dict[str, Any]:
        if case.owner not in self.sellers:
            self.summary.warn(
                "first resource is no seller of the workspace: the deal is owned by "
                f"{self.mapping.owner!r}"
            )
        # Built as a row, not a Deal: every value is valid by construction (the case id is
        # at most 190 characters, owner and account names at most 200).
        return {
            **self.deal_template,
            **self._log_fields(case, provisional=True),
            "title": case.external_id,
            "external_id": case.external_id,
            "source": self.source,
        }

    def _log_fields(self, case: CaseState, *, provisional: bool = False) -> dict[str, Any]:
        assert case.first_at is not None
        # A later event may still name the case's account: a deal written before the end of
        # the log waits for it rather than getting the source's account for a while.
        waits = provisional and case.account is None and self.waits_for_account
        return {
            "account_id": None if waits else self._account_id(case.account),
            "owner": case.owner if case.owner in self.sellers else self.mapping.owner,
            "created_at": case.first_at,
            "playbook": self.playbook.key,
            "playbook_version": self.playbook.version,
            "stage": case.stage,
            "stage_entered_at": case.stage_key[0] if case.stage_key else None,
            "status": case.status.value,
            "closed_at": case.closed_at,
        }

    def _account_id(self, name: str | None) -> int:
        name = name or self.mapping.account or f"Imported from {self.source}"
        if name not in self.accounts_counted:
            self.accounts_counted.add(name)
            if name in self.account_ids:
                self.summary.count("accounts", "unchanged")
            else:
                account = Account(name=name, external_id=name, source=self.source)
                stored = records.insert(self.session, ACCOUNT, account)
                assert stored.id is not None
                self.account_ids[name] = stored.id
                self.summary.count("accounts", "created")
        return self.account_ids[name]
