"""Semantic checks of a playbook: references, duplicates, cycles, reachability, rules.

The checks read the parsed YAML data leniently (an element with a wrong type elsewhere
is still checked for what it can be), so a file reports all of its problems in one go.
They know nothing about YAML: each :class:`Finding` names a path in the data, and the
loader turns paths into lines and columns.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import networkx as nx

from dealgraph.core.playbook.rules import RuleError, compile_rule

Path = tuple[str | int, ...]

# Each section's element name, used in messages ("stage 'x'", "play 'y'").
SECTIONS: dict[str, str] = {
    "stages": "stage",
    "criteria": "criterion",
    "plays": "play",
    "decisions": "decision",
    "signals": "signal",
}


@dataclass(frozen=True)
class Finding:
    """One semantic problem, located by its path in the playbook data.

    ``target`` says whether the problem sits on the mapping key or on its value;
    ``rule_position`` is the (line, column) inside a CEL rule, 1-based, when there is one.
    """

    path: Path
    code: str
    message: str
    hints: tuple[str, ...] = ()
    target: Literal["value", "key"] = "value"
    rule_position: tuple[int, int] | None = None


def check_playbook_data(data: Mapping[str, object]) -> list[Finding]:
    """Every semantic problem of a playbook given as parsed data (a mapping).

    Example:
        >>> data = {"stages": [{"key": "a", "next": ["b"], "end": "won"}]}
        >>> [f.code for f in check_playbook_data(data)]
        ['unknown-reference']
    """
    outline = _Outline(data)
    findings: list[Finding] = []
    findings += outline.duplicate_keys()
    findings += outline.builtin_signal_clashes()
    findings += outline.unknown_references()
    findings += outline.decision_cycles()
    findings += outline.journey_problems()
    findings += outline.unproduced_criteria()
    findings += outline.rule_problems()
    findings += outline.duration_problems()
    return findings


def _items(data: Mapping[str, object], section: str) -> list[tuple[int, Mapping[str, object]]]:
    value = data.get(section)
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, Mapping)]


def _strings(value: object) -> Iterator[tuple[int, str]]:
    """(index, text) of the string items of a list; nothing for anything else.

    A bare string counts as a one-item list here so that one mistyped ``next`` (reported
    by the schema) does not also make every later stage look unreachable.
    """
    if isinstance(value, str):
        yield 0, value
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, str):
                yield index, item


def _text(item: Mapping[str, object], name: str) -> str | None:
    """The string value of ``item[name]``; None when absent or not a string."""
    value = item.get(name)
    return value if isinstance(value, str) else None


def _suggest(name: str, choices: Sequence[str]) -> tuple[str, ...]:
    return tuple(difflib.get_close_matches(name, choices, n=3))


def _did_you_mean(close: Sequence[str]) -> str:
    return f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""


class _Outline:
    """The keys and links of a playbook, read from data that may be partly invalid."""

    def __init__(self, data: Mapping[str, object]) -> None:
        self.data = data
        self.items = {section: _items(data, section) for section in SECTIONS}
        self.keys: dict[str, list[str]] = {}
        for section, items in self.items.items():
            keys = [_text(item, "key") for _, item in items]
            self.keys[section] = list(dict.fromkeys(k for k in keys if k is not None))

    # -- duplicates and references -------------------------------------------------------

    def duplicate_keys(self) -> Iterator[Finding]:
        for section, items in self.items.items():
            first: dict[str, int] = {}
            for index, item in items:
                key = item.get("key")
                if not isinstance(key, str):
                    continue
                if key in first:
                    yield Finding(
                        (section, index, "key"),
                        "duplicate-key",
                        f"{SECTIONS[section]} key {key!r} is already used by "
                        f"{section} -> {first[key]}",
                    )
                else:
                    first[key] = index

    def builtin_signal_clashes(self) -> Iterator[Finding]:
        """A playbook signal may not reuse a built-in key: lift and filters would mix the two."""
        # Imported here: the signal library reads playbooks, so a module-level import would cycle.
        from dealgraph.core.signals_builtin import BUILTIN_SIGNALS

        builtin = {spec.key: spec.title for spec in BUILTIN_SIGNALS}
        for index, item in self.items["signals"]:
            key = item.get("key")
            if isinstance(key, str) and key in builtin:
                yield Finding(
                    ("signals", index, "key"),
                    "builtin-signal-key",
                    f"signal key {key!r} is the built-in signal {builtin[key]!r}; "
                    "give the playbook's own signal another key",
                )

    def _reference(
        self, path: Path, name: str, section: str, owner: str, field: str
    ) -> Finding | None:
        known = self.keys[section]
        if name in known:
            return None
        close = _suggest(name, known)
        return Finding(
            path,
            "unknown-reference",
            f"{owner} `{field}` names unknown {SECTIONS[section]} {name!r}{_did_you_mean(close)}",
            hints=close,
        )

    def unknown_references(self) -> Iterator[Finding]:
        checks: list[Finding | None] = []
        start = self.data.get("start")
        if isinstance(start, str):
            checks.append(self._reference(("start",), start, "stages", "the playbook", "start"))
        path: Path
        for index, stage in self.items["stages"]:
            owner = f"stage {stage.get('key')!r}"
            for j, target in _strings(stage.get("next")):
                path = ("stages", index, "next", j)
                checks.append(self._reference(path, target, "stages", owner, "next"))
            for j, criterion in _strings(stage.get("exit")):
                path = ("stages", index, "exit", j)
                checks.append(self._reference(path, criterion, "criteria", owner, "exit"))
            contingencies = stage.get("contingencies")
            for k, contingency in enumerate(
                contingencies if isinstance(contingencies, list) else []
            ):
                play = contingency.get("play") if isinstance(contingency, Mapping) else None
                if isinstance(play, str):
                    path = ("stages", index, "contingencies", k, "play")
                    checks.append(self._reference(path, play, "plays", owner, "play"))
        for index, play in self.items["plays"]:
            owner = f"play {play.get('key')!r}"
            stage_key = _text(play, "stage")
            if stage_key is not None:
                path = ("plays", index, "stage")
                checks.append(self._reference(path, stage_key, "stages", owner, "stage"))
            for j, criterion in _strings(play.get("outcome")):
                path = ("plays", index, "outcome", j)
                checks.append(self._reference(path, criterion, "criteria", owner, "outcome"))
        for index, decision in self.items["decisions"]:
            owner = f"decision {decision.get('key')!r}"
            stage_key = _text(decision, "stage")
            if stage_key is not None:
                path = ("decisions", index, "stage")
                checks.append(self._reference(path, stage_key, "stages", owner, "stage"))
            for j, required in _strings(decision.get("requires")):
                path = ("decisions", index, "requires", j)
                checks.append(self._reference(path, required, "decisions", owner, "requires"))
        yield from (finding for finding in checks if finding is not None)

    # -- graphs ------------------------------------------------------------------------------

    def decision_cycles(self) -> Iterator[Finding]:
        """One finding per cycle, at the `requires` entry that closes it."""
        graph = nx.DiGraph()
        where: dict[tuple[str, str], Path] = {}
        for index, decision in self.items["decisions"]:
            key = decision.get("key")
            if not isinstance(key, str):
                continue
            for j, required in _strings(decision.get("requires")):
                if required in self.keys["decisions"] and (key, required) not in where:
                    graph.add_edge(key, required)
                    where[(key, required)] = ("decisions", index, "requires", j)
        order = {key: i for i, key in enumerate(self.keys["decisions"])}
        for component in nx.strongly_connected_components(graph):
            first = min(component, key=order.__getitem__)
            if len(component) == 1 and not graph.has_edge(first, first):
                continue
            cycle = _cycle_through(graph.subgraph(component), first)
            yield Finding(
                where[(cycle[0], cycle[1])],
                "decision-cycle",
                "decisions depend on each other in a cycle: " + " -> ".join(cycle),
            )

    def journey_problems(self) -> Iterator[Finding]:
        stages = self.items["stages"]
        keys = self.keys["stages"]
        if not keys or self._journey_has_unknown_links():
            # An unknown `start` or `next` is reported already; every reachability finding
            # it would cause is a consequence, not a second problem.
            return
        graph = nx.DiGraph()
        graph.add_nodes_from(keys)
        for _, stage in stages:
            if isinstance(stage.get("key"), str):
                for _, target in _strings(stage.get("next")):
                    if target in keys:
                        graph.add_edge(stage["key"], target)
        start = self.data.get("start")
        start_key = start if isinstance(start, str) and start in keys else keys[0]
        reachable = nx.descendants(graph, start_key) | {start_key}
        won = [s["key"] for _, s in stages if s.get("end") == "won" and s.get("key") in keys]
        if not won:
            yield Finding(
                ("stages",),
                "no-route-to-won",
                "no stage has `end: won`: a journey needs at least one won end",
                target="key",
            )
        can_win = set(won).union(*(nx.ancestors(graph, w) for w in won)) if won else set()
        reported: set[str] = set()
        for index, stage in stages:
            key = stage.get("key")
            if not isinstance(key, str) or key in reported:
                continue
            reported.add(key)
            if key not in reachable:
                yield Finding(
                    ("stages", index, "key"),
                    "unreachable-stage",
                    f"stage {key!r} cannot be reached from the start stage {start_key!r}",
                )
            if won and key not in can_win:
                path: Path = ("stages", index, "next") if "next" in stage else ("stages", index)
                yield Finding(
                    path,
                    "no-route-to-won",
                    f"stage {key!r} has no route to a won end ({', '.join(map(repr, won))})",
                    target="key",
                )

    def _journey_has_unknown_links(self) -> bool:
        known = set(self.keys["stages"])
        start = self.data.get("start")
        if isinstance(start, str) and start not in known:
            return True
        return any(
            target not in known
            for _, stage in self.items["stages"]
            for _, target in _strings(stage.get("next"))
        )

    def unproduced_criteria(self) -> Iterator[Finding]:
        produced: set[str] = set()
        for _, play in self.items["plays"]:
            produced.update(criterion for _, criterion in _strings(play.get("outcome")))
        for index, stage in self.items["stages"]:
            for j, criterion in _strings(stage.get("exit")):
                if criterion in self.keys["criteria"] and criterion not in produced:
                    yield Finding(
                        ("stages", index, "exit", j),
                        "criterion-not-produced",
                        f"exit criterion {criterion!r} of stage {stage.get('key')!r} is not "
                        "in the `outcome` of any play, so no play can produce it",
                    )

    # -- rules and numbers ---------------------------------------------------------------

    def rule_problems(self) -> Iterator[Finding]:
        rules: list[tuple[Path, str]] = []
        for index, stage in self.items["stages"]:
            contingencies = stage.get("contingencies")
            for k, contingency in enumerate(
                contingencies if isinstance(contingencies, list) else []
            ):
                if isinstance(contingency, Mapping) and isinstance(contingency.get("when"), str):
                    rules.append(
                        (("stages", index, "contingencies", k, "when"), contingency["when"])
                    )
        for index, signal in self.items["signals"]:
            when = _text(signal, "when")
            if when is not None:
                rules.append((("signals", index, "when"), when))
        for path, source in rules:
            try:
                compile_rule(source)
            except RuleError as error:
                yield Finding(
                    path,
                    error.code,
                    error.message,
                    hints=error.hints,
                    rule_position=(error.line, error.column),
                )

    def duration_problems(self) -> Iterator[Finding]:
        for index, stage in self.items["stages"]:
            duration = stage.get("duration")
            if not isinstance(duration, Mapping):
                continue
            p50, p90 = duration.get("p50"), duration.get("p90")
            numbers = (int, float)
            if isinstance(p50, numbers) and isinstance(p90, numbers) and p90 < p50:
                yield Finding(
                    ("stages", index, "duration", "p90"),
                    "duration-order",
                    f"stage {stage.get('key')!r}: p90 ({p90}) is below p50 ({p50}); "
                    "the 90th percentile cannot be shorter than the median",
                )


def _cycle_through(graph: nx.DiGraph, node: str) -> list[str]:
    """A closed cycle starting and ending at ``node`` inside a strongly connected graph."""
    if graph.has_edge(node, node):
        return [node, node]
    for successor in sorted(graph.successors(node)):
        try:
            path = nx.shortest_path(graph, successor, node)
        except nx.NetworkXNoPath:
            continue
        return [node, *path]
    return [node, node]  # unreachable for a strongly connected component
