"""How an event log's words become the workspace's: activity -> stage or outcome, channel and
outcome cells -> dealgraph's enums. Pure lookups, every match case-insensitive.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dealgraph.core.enums import Channel, DealStatus, Outcome
from dealgraph.core.playbook.schema import Playbook
from dealgraph.errors import ImportFailed
from dealgraph.io.eventlog_mapping import EventLogMapping

# Everyday names of each channel, for logs that do not use dealgraph's own.
CHANNEL_SYNONYMS: dict[Channel, tuple[str, ...]] = {
    Channel.FIELD: ("onsite", "on site", "in person", "visit", "face to face", "meeting"),
    Channel.INSIDE: ("inside sales", "office"),
    Channel.VIRTUAL: ("video", "video call", "online", "web", "internet", "zoom", "teams"),
    Channel.SOCIAL: ("social media", "linkedin", "twitter"),
    Channel.EMAIL: ("e mail", "mail"),
    Channel.PHONE: ("call", "telephone", "tel", "phone call"),
    Channel.EVENT: ("webinar", "conference", "trade show", "fair"),
}
CACHE_SIZE = 10_000  # distinct activities or channels remembered; rarer ones are looked up


def fold(text: str) -> str:
    """The comparison form of a name: case-folded, ``-`` and ``_`` as spaces, spaces single."""
    return " ".join(text.casefold().replace("-", " ").replace("_", " ").split())


_OUTCOME_NAMES: dict[str, DealStatus | Outcome] = {
    **{fold(status.value): status for status in DealStatus if status != DealStatus.OPEN},
    **{fold(outcome.value): outcome for outcome in Outcome},
}


class UnknownOutcome(ValueError):
    """An outcome cell that names neither a deal outcome nor an interaction outcome."""


@dataclass(frozen=True)
class ActivityMatch:
    """What an activity stands for: a deal outcome, a stage, or neither.

    ``matched`` is False for an activity that neither the mapping nor the playbook names.
    """

    closing: DealStatus | None = None
    stage: str | None = None
    matched: bool = False


@dataclass(frozen=True)
class ChannelMatch:
    """The channel an event gets and, when it was a guess, the note that says so."""

    channel: Channel
    note: str | None = None
    stored: str = field(init=False)  # the channel's value, read once (enum .value is slow)

    def __post_init__(self) -> None:
        object.__setattr__(self, "stored", self.channel.value)


class Vocabulary:
    """The lookups of one import: built once from the mapping and the playbook."""

    def __init__(self, mapping: EventLogMapping, playbook: Playbook) -> None:
        self.default_channel = mapping.default_channel
        self._explicit_stages = {fold(k): v for k, v in mapping.stages.items()}
        self._stages: dict[str, str] = {}
        for stage in playbook.stages:
            self._stages.setdefault(fold(stage.title), stage.key)
        for stage in playbook.stages:
            self._stages[fold(stage.key)] = stage.key
        self._outcome_activities = {fold(k): v for k, v in mapping.outcomes.items()}
        self._outcome_values = {
            **_OUTCOME_NAMES,
            **{fold(k): v for k, v in mapping.outcome_values.items()},
        }
        self._channels: dict[str, Channel] = {}
        for channel, names in CHANNEL_SYNONYMS.items():
            self._channels.update(dict.fromkeys(names, channel))
        self._channels.update({fold(channel.value): channel for channel in Channel})
        self._channels.update({fold(k): v for k, v in mapping.channels.items()})
        self._channel_cache: dict[str | None, ChannelMatch] = {}
        self._activity_cache: dict[str, ActivityMatch] = {}

    def activity(self, activity: str) -> ActivityMatch:
        """What an activity is: an outcome, a stage, or (matched or not) an interaction."""
        found = self._activity_cache.get(activity)
        if found is None:
            found = self._match_activity(activity)
            if len(self._activity_cache) < CACHE_SIZE:
                self._activity_cache[activity] = found
        return found

    def _match_activity(self, activity: str) -> ActivityMatch:
        key = fold(activity)
        closing = self._outcome_activities.get(key)
        if closing is not None:
            return ActivityMatch(closing=closing, matched=True)
        if key in self._explicit_stages:
            return ActivityMatch(stage=self._explicit_stages[key], matched=True)
        stage = self._stages.get(key)
        return ActivityMatch(stage=stage, matched=stage is not None)

    def outcome(self, value: str | None) -> tuple[DealStatus | None, Outcome | None]:
        """(deal outcome, interaction outcome) named by an outcome cell; UnknownOutcome."""
        if value is None:
            return None, None
        found = self._outcome_values.get(fold(value))
        if found is None:
            raise UnknownOutcome(
                f"outcome {value!r} is not won, lost or no_decision (closes the deal) nor "
                "advanced, neutral or setback (the interaction's outcome); map it in "
                "outcome_values"
            )
        if isinstance(found, DealStatus):
            return found, None
        return None, found

    def channel(self, value: str | None) -> ChannelMatch:
        """The channel a channel cell names; the default (with a note) when none or unknown."""
        cached = self._channel_cache.get(value)
        if cached is None:
            cached = self._match_channel(value)
            if len(self._channel_cache) < CACHE_SIZE:
                self._channel_cache[value] = cached
        return cached

    def _match_channel(self, value: str | None) -> ChannelMatch:
        default = self.default_channel.value
        if value is None:
            return ChannelMatch(self.default_channel, f"no channel: recorded as {default}")
        found = self._channels.get(fold(value))
        if found is None:
            return ChannelMatch(
                self.default_channel,
                f"channel {value!r} matches no channel: recorded as {default}",
            )
        return ChannelMatch(found)


def check_stages(mapping: EventLogMapping, playbook: Playbook, *, where: str) -> None:
    """Every stage the mapping names is a stage of the playbook."""
    known = set(playbook.journey_order)
    for activity, stage in mapping.stages.items():
        if stage is not None and stage not in known:
            raise ImportFailed(
                f"{stage!r} is not a stage of playbook {playbook.key!r}; valid: "
                f"{', '.join(playbook.journey_order)}",
                where=f"{where} -> stages -> {activity}",
            )
