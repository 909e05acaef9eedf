"""The event-log mapping file: which column or attribute feeds which event field, and how a
log's names (activities, channels, outcomes) become the workspace's.

A YAML file, every key optional (command-line options win over it)::

    source: helpdesk                  # system name stored with every external id
    playbook: buyer-journey           # default: DEALGRAPH_DEFAULT_PLAYBOOK
    columns:                          # CSV column or XES event attribute -> event field
      ticket: case
      step: activity
      at: timestamp
      via: channel
      agent: resource
      result: outcome
      customer: account
    timestamp_format: "%d/%m/%Y %H:%M"        # CSV only; default ISO 8601
    stages: {Take in charge ticket: define_problem, Wait: null}   # activity -> stage (null: none)
    outcomes: {Resolve ticket: won, Closed unresolved: lost}     # activity -> deal outcome
    outcome_values: {Closed Won: won, Good call: advanced}       # outcome cell -> outcome
    channels: {Internet: virtual, Desk: field}                  # channel cell -> channel
    default_channel: inside           # for events whose channel is missing or unknown
    owner: unassigned                 # owner of deals whose first resource is no seller
    account: null                     # the one account of the source's deals
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from dealgraph.core.enums import Channel, DealStatus, Outcome
from dealgraph.errors import ImportFailed
from dealgraph.io.mapping_file import read_mapping_file

EVENT_FIELDS = (
    "case",
    "activity",
    "timestamp",
    "channel",
    "resource",
    "outcome",
    "account",
)
CLOSING = frozenset({DealStatus.WON, DealStatus.LOST, DealStatus.NO_DECISION})
UNASSIGNED = "unassigned"

OutcomeValue = DealStatus | Outcome


class EventLogMapping(BaseModel):
    """A mapping file for ``dealgraph import --format xes|eventlog-csv``."""

    model_config = ConfigDict(extra="forbid")

    source: str | None = Field(default=None, min_length=1, max_length=80)
    playbook: str | None = Field(default=None, description="default: the settings' playbook")
    columns: dict[str, str] = Field(
        default_factory=dict, description="CSV column or XES attribute -> event field"
    )
    timestamp_format: str | None = Field(default=None, description="strptime format (CSV)")
    stages: dict[str, str | None] = Field(default_factory=dict)
    outcomes: dict[str, DealStatus] = Field(default_factory=dict)
    outcome_values: dict[str, OutcomeValue] = Field(default_factory=dict)
    channels: dict[str, Channel] = Field(default_factory=dict)
    default_channel: Channel = Channel.INSIDE
    owner: str = Field(default=UNASSIGNED, min_length=1, max_length=200)
    account: str | None = Field(default=None, min_length=1, max_length=200)

    def column_of(self, event_field: str) -> str | None:
        """The column (or attribute) mapped to ``event_field``, the last one when several are."""
        found = None
        for column, target in self.columns.items():
            if target == event_field:
                found = column
        return found

    def with_columns(self, given: dict[str, str | None]) -> EventLogMapping:
        """This mapping with ``field -> column`` pairs given on the command line on top."""
        chosen = {f: c for f, c in given.items() if c}
        kept = {c: f for c, f in self.columns.items() if f not in chosen}
        return self.model_copy(update={"columns": {**kept, **{c: f for f, c in chosen.items()}}})

    def check(self, *, where: str) -> None:
        """Every mapped field is an event field and every outcome closes a deal."""
        for column, target in self.columns.items():
            if target not in EVENT_FIELDS:
                raise ImportFailed(
                    f"unknown field {target!r}; valid: {', '.join(EVENT_FIELDS)}",
                    where=f"{where} -> columns -> {column}",
                )
        for activity, status in self.outcomes.items():
            if status not in CLOSING:
                raise ImportFailed(
                    f"{status.value!r} does not close a deal; valid: won, lost, no_decision",
                    where=f"{where} -> outcomes -> {activity}",
                )
        for value, outcome in self.outcome_values.items():
            if outcome == DealStatus.OPEN:
                raise ImportFailed(
                    "valid: won, lost, no_decision, advanced, neutral, setback",
                    where=f"{where} -> outcome_values -> {value}",
                )


def load_eventlog_mapping(path: Path) -> EventLogMapping:
    """Read a mapping file; ImportFailed names the file and the key path of a bad entry."""
    mapping = read_mapping_file(path, EventLogMapping)
    mapping.check(where=str(path))
    return mapping


__all__ = ["EVENT_FIELDS", "UNASSIGNED", "EventLogMapping", "load_eventlog_mapping"]
