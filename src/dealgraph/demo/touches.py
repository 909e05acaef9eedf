"""Fill a planned journey with interactions: plays, follow-ups, setbacks and stage moves.

The second pass of the simulation. For each exit criterion the seller runs a play
designed for it, on one of the play's channels; each attempt succeeds with a chance
that depends on the channel (:data:`CHANNEL_EFFECT`), on whether the play's roles are
in the room, on the level of the people met and on the seller. The attempt that
succeeds is logged on the planned day with the criterion as its evidence; the failed
ones come before it. Stage moves are written exactly when the planned visit ends.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from dealgraph.core.enums import Channel, Direction, Outcome
from dealgraph.core.playbook.schema import Play, Playbook
from dealgraph.demo import names
from dealgraph.demo.journey import Flags, Journey, Visit
from dealgraph.demo.team import Person

CHANNEL_EFFECT: dict[Channel, float] = {
    Channel.FIELD: 0.55,
    Channel.VIRTUAL: 0.45,
    Channel.INSIDE: 0.33,
    Channel.EVENT: 0.3,
    Channel.PHONE: 0.27,
    Channel.EMAIL: 0.17,
    Channel.SOCIAL: 0.12,
}
"""Base chance that one attempt of a play on a channel produces its evidence."""

MAX_ATTEMPTS = 6
"""The buyer gets there in the end: the sixth attempt of a planned criterion succeeds."""

FILLER_CHANNELS = (
    Channel.EMAIL,
    Channel.PHONE,
    Channel.INSIDE,
    Channel.SOCIAL,
    Channel.VIRTUAL,
    Channel.EVENT,
    Channel.FIELD,
)
FILLER_WEIGHTS = np.array([0.3, 0.19, 0.15, 0.12, 0.1, 0.09, 0.05])
ASYNC_CHANNELS = frozenset({Channel.EMAIL, Channel.PHONE, Channel.SOCIAL})
GROUP_CHANNELS = frozenset({Channel.FIELD, Channel.VIRTUAL, Channel.EVENT})
NOT_SETTLED = (
    "useful conversation, nothing settled yet",
    "they want to talk it over internally first",
    "agreed to pick it up again next time",
    "open questions remain on their side",
)


@dataclass
class Touch:
    """An interaction before it gets its id; ``day`` is a simulation day."""

    day: float
    seq: int
    channel: Channel
    direction: Direction
    play: str | None
    participants: list[int]
    summary: str
    outcome: Outcome = Outcome.NEUTRAL
    evidence: list[str] = field(default_factory=list)
    id: int = 0


@dataclass
class Move:
    """A stage change before it gets its id."""

    day: float
    from_stage: str
    to_stage: str
    touch: Touch


class TouchWriter:
    """Writes one deal's touches and moves from its planned journey."""

    def __init__(
        self,
        rng: np.random.Generator,
        playbook: Playbook,
        *,
        team: list[Person],
        contact: Person,
        skill: float,
        flags: Flags,
        horizon: float,
    ) -> None:
        self.rng = rng
        self.playbook = playbook
        self.team = team
        self.contact = contact
        self.skill = skill
        self.flags = flags
        self.horizon = horizon
        self.touches: list[Touch] = []
        self.moves: list[Move] = []

    # -- people --------------------------------------------------------------------------

    def _present(self, day: float) -> list[Person]:
        if self.flags.single_thread:
            return [self.contact]
        found = [p for p in self.team if p.added <= day and not p.hidden]
        return found or [self.contact]

    def _people(self, day: float, channel: Channel, play: Play | None) -> list[Person]:
        present = self._present(day)
        if len(present) == 1:
            return present
        most = 3 if channel in GROUP_CHANNELS else 1
        count = 1 + int(self.rng.binomial(most - 1, 0.45)) if most > 1 else 1
        wanted = [p for p in present if play is not None and p.role in play.roles]
        chosen: list[Person] = []
        for _ in range(count):
            pool = wanted if wanted and self.rng.random() < 0.75 else present
            pool = [p for p in pool if p not in chosen] or [p for p in present if p not in chosen]
            if not pool:
                break
            chosen.append(pool[int(self.rng.integers(len(pool)))])
        return chosen

    # -- touches -------------------------------------------------------------------------

    def _add(
        self,
        day: float,
        channel: Channel,
        direction: Direction,
        people: list[Person],
        summary: str,
        *,
        play: str | None = None,
        outcome: Outcome = Outcome.NEUTRAL,
        evidence: list[str] | None = None,
    ) -> Touch:
        touch = Touch(
            day=day,
            seq=len(self.touches),
            channel=channel,
            direction=direction,
            play=play,
            participants=sorted(p.id for p in people),
            summary=summary,
            outcome=outcome,
            evidence=evidence or [],
        )
        self.touches.append(touch)
        return touch

    def _pick(self, options: tuple[str, ...]) -> str:
        return options[int(self.rng.integers(len(options)))]

    def _plays_for(self, criterion: str, stage: str) -> list[Play]:
        producing = self.playbook.plays_producing(criterion)
        designed = [p for p in producing if p.stage == stage]
        return designed or producing

    def _chance(self, play: Play, channel: Channel, people: list[Person], level: int) -> float:
        chance = CHANNEL_EFFECT[channel] * self.skill
        chance *= 1.25 if any(p.role in play.roles for p in people) else 0.8
        chance *= 1.15 if max(p.level for p in people) >= level else 0.85
        return min(chance, 0.92)

    def _attempt(
        self, visit: Visit, criterion: str, low: float, high: float, when: float | None
    ) -> None:
        """Attempts at one criterion in (low, high]; the last succeeds (on ``when``) if set."""
        plays = self._plays_for(criterion, visit.stage)
        level = self.playbook.stage(visit.stage).level
        tries = MAX_ATTEMPTS if when is not None else int(self.rng.integers(0, 3))
        for attempt in range(tries):
            play = plays[int(self.rng.integers(len(plays)))] if plays else None
            channels = play.channels if play is not None else list(FILLER_CHANNELS)
            channel = channels[int(self.rng.integers(len(channels)))]
            # people present on the earlier of the two candidate days are present on both
            day = float(self.rng.uniform(low, high))
            people = self._people(day, channel, play)
            chance = self._chance(play, channel, people, level) if play is not None else 0.3
            title = play.title if play is not None else "Follow-up"
            key = play.key if play is not None else None
            who = ", ".join(p.name.split()[0] for p in people)
            if when is not None and (self.rng.random() < chance or attempt == tries - 1):
                direction = Direction.INBOUND if self.rng.random() < 0.12 else Direction.TWO_WAY
                summary = f"{title} with {who}: {self._criterion_title(criterion).lower()}."
                self._add(
                    when,
                    channel,
                    direction,
                    people,
                    summary,
                    play=key,
                    outcome=Outcome.ADVANCED,
                    evidence=[criterion],
                )
                return
            if channel in ASYNC_CHANNELS and self.rng.random() < 0.55:
                self._add(
                    day,
                    channel,
                    Direction.OUTBOUND,
                    people[:1],
                    self._pick(names.NO_REPLY[channel.value]),
                    play=key,
                )
            else:
                outcome = Outcome.SETBACK if self.rng.random() < 0.06 else Outcome.NEUTRAL
                self._add(
                    day,
                    channel,
                    Direction.TWO_WAY,
                    people,
                    f"{title} with {who}: {self._pick(NOT_SETTLED)}.",
                    play=key,
                    outcome=outcome,
                )

    def _criterion_title(self, criterion: str) -> str:
        for known in self.playbook.criteria:
            if known.key == criterion:
                return known.title
        return criterion.replace("_", " ")

    def _fillers(self, start: float, stop: float) -> None:
        count = int(self.rng.poisson(max(stop - start, 0.0) / 13.0))
        for _ in range(count):
            day = float(self.rng.uniform(start, stop))
            channel = FILLER_CHANNELS[
                int(self.rng.choice(len(FILLER_CHANNELS), p=FILLER_WEIGHTS / FILLER_WEIGHTS.sum()))
            ]
            people = self._people(day, channel, None)[:1]
            if channel == Channel.EVENT:
                direction = Direction.INBOUND
            elif channel in ASYNC_CHANNELS:
                roll = self.rng.random()
                direction = (
                    Direction.OUTBOUND
                    if roll < 0.5
                    else Direction.TWO_WAY
                    if roll < 0.85
                    else Direction.INBOUND
                )
            else:
                direction = Direction.TWO_WAY
            summary = self._pick(names.FOLLOW_UPS[channel.value])
            if direction == Direction.OUTBOUND:
                summary = self._pick(names.NO_REPLY[channel.value])
            self._add(day, channel, direction, people, summary)

    # -- visits --------------------------------------------------------------------------

    def write(self, journey: Journey) -> None:
        """Write touches and moves for every visit that starts on or before the horizon."""
        for visit in journey.visits:
            if visit.start > self.horizon:
                break
            final = visit.end > self.horizon
            stop = min(visit.end, self.horizon)
            if final and self.flags.ghost:
                stop = max(visit.start, self.horizon - float(self.rng.uniform(18.0, 40.0)))
            self._visit(visit, stop)
            if final:
                if self.flags.ghost:
                    self._ghost(stop)
                return
            self._end(visit)

    def _visit(self, visit: Visit, stop: float) -> None:
        low = visit.start
        for criterion, day in visit.criteria:
            if day > stop:
                self._attempt(visit, criterion, low, stop, None)
                break
            self._attempt(visit, criterion, low, day, day)
            low = day
        self._fillers(visit.start, stop)

    def _end(self, visit: Visit) -> None:
        people = self._people(visit.end, Channel.VIRTUAL, None)
        if visit.ends == "advance":
            assert visit.to_stage is not None
            touch = next(t for t in reversed(self.touches) if t.day == visit.end and t.evidence)
            self.moves.append(Move(visit.end, visit.stage, visit.to_stage, touch))
        elif visit.ends == "regress":
            assert visit.to_stage is not None
            channel = Channel.VIRTUAL if self.rng.random() < 0.6 else Channel.FIELD
            touch = self._add(
                visit.end,
                channel,
                Direction.TWO_WAY,
                people,
                self._pick(names.SETBACKS),
                outcome=Outcome.SETBACK,
            )
            self.moves.append(Move(visit.end, visit.stage, visit.to_stage, touch))
        elif visit.ends == "recover":
            assert visit.to_stage is not None
            touch = self._add(
                visit.end,
                Channel.VIRTUAL,
                Direction.TWO_WAY,
                people,
                self._pick(names.RECOVERIES),
                outcome=Outcome.ADVANCED,
            )
            self.moves.append(Move(visit.end, visit.stage, visit.to_stage, touch))
        elif visit.ends == "lost":
            self._add(
                visit.end,
                Channel.PHONE,
                Direction.TWO_WAY,
                people[:1],
                self._pick(names.CLOSING_WORDS["lost"]),
                outcome=Outcome.SETBACK,
            )
        else:
            self._add(
                visit.end,
                Channel.EMAIL,
                Direction.OUTBOUND,
                people[:1],
                self._pick(names.CLOSING_WORDS["no_decision"]),
            )

    def _ghost(self, since: float) -> None:
        """Three to five unanswered outbound touches after the buyer's last reply."""
        count = int(self.rng.integers(3, 6))
        days = sorted(
            float(d)
            for d in self.rng.uniform(min(since + 0.5, self.horizon), self.horizon, size=count)
        )
        for day in days:
            channel = (Channel.EMAIL, Channel.PHONE, Channel.SOCIAL)[int(self.rng.integers(3))]
            self._add(
                day,
                channel,
                Direction.OUTBOUND,
                [self.contact],
                self._pick(names.NO_REPLY[channel.value]),
            )
