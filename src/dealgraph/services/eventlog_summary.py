"""What an event-log import reports: counts by kind of record, skipped events, notes."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from dealgraph.services.import_counts import RecordCounts

MAX_REPORTED = 1000


class SkippedEvent(BaseModel):
    """An event left out of the import, and why."""

    model_config = ConfigDict(frozen=True)

    event: int = Field(description="the event's number in the file, from 1")
    line: int | None = None
    case: str | None = None
    field: str = Field(description="the CSV column or XES attribute at fault")
    reason: str


class EventLogImportSummary(RecordCounts):
    """What an event-log import read and did, by kind of record."""

    file: str
    format: str
    source: str
    playbook: str
    events_read: int = 0
    cases_read: int = Field(default=0, description="cases with at least one event imported")
    outcome_events: int = Field(default=0, description="outcome activities (they close deals)")
    skipped: list[SkippedEvent] = Field(default_factory=list, description="first 1,000")
    skipped_count: int = 0
    unmapped_activities: dict[str, int] = Field(
        default_factory=dict,
        description="activity -> events kept as interactions because it matched no stage "
        "(first 1,000 activities)",
    )
    warnings: dict[str, int] = Field(default_factory=dict, description="note -> count")

    def warn(self, note: str) -> None:
        """Count one more event (or deal) under ``note``."""
        self.warnings[note] = self.warnings.get(note, 0) + 1

    def unmapped(self, activity: str) -> None:
        """Count one more event of an activity that matched no stage."""
        activities = self.unmapped_activities
        if activity in activities or len(activities) < MAX_REPORTED:
            activities[activity] = activities.get(activity, 0) + 1

    def skip(self, event: SkippedEvent) -> None:
        """Report an event left out (the first 1,000 are listed)."""
        self.skipped_count += 1
        if len(self.skipped) < MAX_REPORTED:
            self.skipped.append(event)
