"""The playbook model: what a playbook file declares, after parsing and validation.

The loader (``loader.py``) turns YAML into these models and reports located problems;
semantic checks (references, cycles, reachability, rules) run in ``checks.py``.
"""

from __future__ import annotations

from typing import Literal

import networkx as nx
from pydantic import BaseModel, ConfigDict, Field

from dealgraph.core.enums import Channel, Role

Severity = Literal["info", "warning", "critical"]


class Spec(BaseModel):
    """Base of every playbook element: unknown keys are an error, not ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Duration(Spec):
    """Typical days a stage takes: median and 90th percentile."""

    p50: float = Field(gt=0, description="median days in the stage")
    p90: float = Field(gt=0, description="90th percentile of days in the stage")


class Contingency(Spec):
    """What to do when a rule holds while the buyer is in a stage."""

    when: str = Field(description="CEL rule over the deal context")
    advice: str
    play: str | None = Field(default=None, description="play to run instead")


class Stage(Spec):
    """One step of the buyer's journey."""

    key: str
    title: str
    goal: str = Field(description="what the buyer is trying to get done in this stage")
    exit: list[str] = Field(default_factory=list, description="criteria keys that end the stage")
    duration: Duration
    level: int = Field(ge=1, le=7, description="typical Jaques level of the work in this stage")
    next: list[str] = Field(default_factory=list, description="stages the buyer can move to")
    end: Literal["won"] | None = Field(
        default=None, description="'won': a deal that reaches this stage is won"
    )
    contingencies: list[Contingency] = Field(default_factory=list)


class Criterion(Spec):
    """An exit criterion: something observable that shows a stage's work is done."""

    key: str
    title: str
    evidence: str = Field(description="what counts as evidence that it happened")


class Play(Spec):
    """A designed seller interaction."""

    key: str
    title: str
    purpose: str
    stage: str | None = Field(default=None, description="stage the play is designed for")
    channels: list[Channel] = Field(min_length=1)
    outcome: list[str] = Field(default_factory=list, description="criteria keys it produces")
    roles: list[Role] = Field(default_factory=list, description="buyer roles to involve")
    questions: list[str] = Field(default_factory=list, description="facilitative questions")
    effort_hours: float = Field(default=1.0, ge=0)


class DecisionTemplate(Spec):
    """A decision the buyer typically has to make, as a node of the template graph."""

    key: str
    title: str
    stage: str
    requires: list[str] = Field(default_factory=list)
    level: int = Field(ge=1, le=7)
    roles: list[Role] = Field(default_factory=list)
    days: int = Field(default=14, ge=0, description="typical days the decision takes")


class SignalRule(Spec):
    """A playbook's own signal: a CEL rule with a message and advice."""

    key: str
    when: str
    severity: Severity = "warning"
    message: str
    advice: str


class Playbook(Spec):
    """A whole playbook: the buyer's journey, its criteria, plays, decisions and signals."""

    key: str
    title: str
    version: str = "1"
    description: str = ""
    start: str | None = Field(default=None, description="first stage; default the first listed")
    stages: list[Stage] = Field(min_length=1)
    criteria: list[Criterion] = Field(default_factory=list)
    plays: list[Play] = Field(default_factory=list)
    decisions: list[DecisionTemplate] = Field(default_factory=list)
    signals: list[SignalRule] = Field(default_factory=list)

    # -- lookups -------------------------------------------------------------------------

    @property
    def start_stage(self) -> str:
        """Key of the stage every journey starts in."""
        return self.start or self.stages[0].key

    @property
    def journey_order(self) -> list[str]:
        """Stage keys in the order the file lists them (the order the GPS walks)."""
        return [s.key for s in self.stages]

    def stage(self, key: str) -> Stage:
        """The stage with this key; KeyError if absent."""
        for stage in self.stages:
            if stage.key == key:
                return stage
        raise KeyError(key)

    def stage_index(self, key: str) -> int:
        """0-based position of a stage in journey order."""
        return self.journey_order.index(key)

    def criterion(self, key: str) -> Criterion:
        for criterion in self.criteria:
            if criterion.key == key:
                return criterion
        raise KeyError(key)

    def play(self, key: str) -> Play:
        for play in self.plays:
            if play.key == key:
                return play
        raise KeyError(key)

    def plays_producing(self, criterion: str) -> list[Play]:
        """Plays whose expected outcome includes this criterion."""
        return [p for p in self.plays if criterion in p.outcome]

    @property
    def won_stages(self) -> list[str]:
        return [s.key for s in self.stages if s.end == "won"]

    # -- journey -------------------------------------------------------------------------

    def journey_graph(self) -> nx.DiGraph:
        """Stages as nodes, ``next`` as edges weighted by the source stage's p50 days."""
        graph = nx.DiGraph()
        for stage in self.stages:
            graph.add_node(stage.key)
        for stage in self.stages:
            for target in stage.next:
                graph.add_edge(stage.key, target, weight=stage.duration.p50)
        return graph

    def position(self, evidenced: set[str] | frozenset[str]) -> str:
        """The GPS position: the first stage in journey order whose exit is not all evidenced.

        When every stage's exit criteria are evidenced, the last stage is the position.
        """
        for stage in self.stages:
            if not set(stage.exit) <= evidenced:
                return stage.key
        return self.stages[-1].key

    def route(self, from_stage: str) -> list[str]:
        """Remaining stages from ``from_stage`` (included) to the nearest won end, by p50 days.

        Stages in journey order are the fallback when no won end is reachable.
        """
        graph = self.journey_graph()
        best: list[str] | None = None
        best_days = float("inf")
        for end in self.won_stages:
            try:
                days, path = nx.single_source_dijkstra(graph, from_stage, end, weight="weight")
            except nx.NetworkXNoPath:
                continue
            if days < best_days:
                best, best_days = list(path), days
        if best is None:
            order = self.journey_order
            return order[order.index(from_stage) :]
        return best

    def decision_template(self, key: str) -> DecisionTemplate:
        for template in self.decisions:
            if template.key == key:
                return template
        raise KeyError(key)
