"""Load scenario YAML, reporting every problem with its file, line, column and path.

A scenario file is either whole or a change to another design: ``extends: other.yaml``
(a path relative to the file) or ``base: fitted`` (the model fitted from the workspace's
history) and then only the parts that change. Changes merge into the base stage by stage:
``mix`` and ``channels`` merge channel by channel, ``days``, ``advance_to`` and
``back_to`` are replaced whole. When a stage changes some of its four probabilities
(advance, back, lost, no decision) but not all, the ones left out share what remains in
the proportions the base gave them, so ``advance: 0.9`` alone is a complete change.

Problems are gathered over the YAML node tree (syntax, duplicate keys), the pydantic
schema and :mod:`dealgraph.planning.scenario_check`, and raised together as one
:class:`ScenarioError` (a :class:`PlaybookError`), sorted by line.
"""

from __future__ import annotations

import copy
import difflib
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

from pydantic import BaseModel, ValidationError

from dealgraph.core.playbook.checks import Finding
from dealgraph.core.playbook.loader import MarkedSource, get_playbook, parse_marked
from dealgraph.core.playbook.schema import Playbook
from dealgraph.errors import DealgraphError, Location, NotFound, PlaybookError, Problem
from dealgraph.planning.scenario import (
    OUTCOMES,
    SUM_TOLERANCE,
    ChannelCost,
    Days,
    Scenario,
    StageSpec,
    Value,
)
from dealgraph.planning.scenario_check import check_keys, check_values

SCENARIO_DIR = Path(__file__).resolve().parents[1] / "scenarios"
DataPath = tuple[str | int, ...]
FittedSource = Callable[[str], Scenario | None]
"""Gives the scenario fitted from the workspace for a playbook key, or None without one."""
PlaybookSource = Callable[[str], Playbook]

PROBLEM_CODES: dict[str, str] = {
    "yaml-syntax": "the file is not valid YAML",
    "not-a-mapping": "the file is empty or its top level is not a mapping",
    "unreadable-file": "the file cannot be read (missing, a directory, not UTF-8)",
    "duplicate-key": "a key repeated in a YAML mapping",
    "missing-field": "a required field is absent",
    "unknown-field": "a field the scenario language does not define (often a typo)",
    "wrong-type": "a value of the wrong type (a word where a number is needed)",
    "wrong-value": "a value of the right type outside what is allowed",
    "negative-value": "a count, hours, cost, value or probability below zero",
    "unknown-reference": "an unknown playbook, a missing `extends` file, or `base` other "
    "than `fitted`",
    "extends-cycle": "scenario files that extend each other in a loop",
    "no-workspace": "`base: fitted` without a workspace to fit from",
    "unknown-stage": "a stage the playbook does not have",
    "won-end-stage": "a won-end stage given transitions (reaching it means won)",
    "missing-stage": "a working stage of the playbook the scenario does not describe",
    "unknown-channel": "a channel that is not one of dealgraph's channels",
    "missing-channel": "a channel in a mix without hours and cost in `channels`",
    "probability-sum": "probabilities (or shares) that do not sum to 1 within 1e-6",
    "no-target": "an advance from the last stage or a move back from the first with no target",
    "wrong-direction": "an `advance_to` stage that is not later, or a `back_to` not earlier",
    "duration-order": "a stage whose p90 days are below its p50",
    "value-order": "a deal value p90 below its p50",
    "no-way-out": "a stage from which a deal can never end (a closed loop)",
}

_MODELS: dict[str, type[BaseModel]] = {
    "value": Value,
    "channels": ChannelCost,
    "stages": StageSpec,
}


class ScenarioError(PlaybookError):
    """A scenario failed to load; ``problems`` lists every problem found, located."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems)
        head = f"{len(self.problems)} problem(s) in scenario"
        self.args = (head + "\n" + "\n".join(str(p) for p in self.problems),)


def shipped_scenarios() -> dict[str, Path]:
    """The example scenarios that come with dealgraph, by key (file name without .yaml)."""
    return {path.stem: path for path in sorted(SCENARIO_DIR.glob("*.yaml"))}


def scenario_path(name_or_path: str) -> Path:
    """A shipped scenario by key, or a scenario file by path; NotFound when it is neither."""
    path = shipped_scenarios().get(name_or_path) or Path(name_or_path)
    if not path.is_file():
        raise NotFound("scenario", name_or_path)
    return path


def load_scenario(
    path: str | Path,
    *,
    fitted: FittedSource | None = None,
    playbooks: PlaybookSource = get_playbook,
) -> Scenario:
    """Load a scenario file (following ``extends``); ScenarioError lists every problem.

    Example:
        >>> scenario = load_scenario(scenario_path("buyer-journey"))  # doctest: +SKIP
        >>> scenario.stages["define_problem"].advance  # doctest: +SKIP
        0.78
    """
    return _Loader(fitted, playbooks).file(Path(path), ())


def load_scenario_text(
    text: str,
    *,
    file: str = "<string>",
    fitted: FittedSource | None = None,
    playbooks: PlaybookSource = get_playbook,
    base_dir: Path | None = None,
    within: Path | None = None,
) -> Scenario:
    """Load a scenario from YAML text; ``extends`` paths are relative to ``base_dir``.

    With ``within`` (text from a web form), ``extends`` may only name a file inside that
    folder: anything else is an ``unknown-reference`` problem and is never opened.
    """
    return _Loader(fitted, playbooks, within).text(text, file, base_dir or Path.cwd(), ())


class _Loader:
    def __init__(
        self, fitted: FittedSource | None, playbooks: PlaybookSource, within: Path | None = None
    ) -> None:
        self.fitted = fitted
        self.playbooks = playbooks
        self.within = within.resolve() if within is not None else None

    def file(self, path: Path, chain: tuple[Path, ...]) -> Scenario:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            reason = error.strerror if isinstance(error, OSError) and error.strerror else error
            problem = Problem(
                str(path), Location(1, 1), "unreadable-file", f"cannot read the file: {reason}"
            )
            raise ScenarioError([problem]) from error
        return self.text(text, str(path), path.resolve().parent, (*chain, path.resolve()))

    def text(self, text: str, file: str, base_dir: Path, chain: tuple[Path, ...]) -> Scenario:
        source, problems = _parse(text, file)
        if source is None:
            raise ScenarioError(problems)
        data = dict(cast(dict[str, Any], source.data))
        base = self._base(data, source, file, base_dir, chain, problems)
        if base is None and ("extends" in data or "base" in data):
            raise ScenarioError(problems)
        merged, findings = (data, []) if base is None else _merge(base, data)
        merged.pop("extends", None)
        merged.pop("base", None)
        locate = _Locator(source, file, inherited=base is not None)
        problems += [locate.finding(finding) for finding in findings]
        playbook = self._playbook(merged.get("playbook"), locate, problems)
        if playbook is not None:
            problems += [locate.finding(f) for f in check_keys(merged, playbook)]
        try:
            scenario = Scenario.model_validate(merged)
        except ValidationError as error:
            problems += [locate.schema(detail) for detail in error.errors()]
            raise ScenarioError(problems) from None
        if playbook is None:
            raise ScenarioError(problems)
        merge_findings = {(f.path, f.code) for f in findings}
        problems += [
            locate.finding(finding)
            for finding in check_values(scenario, playbook, keys_ok=not problems)
            if (finding.path, finding.code) not in merge_findings
        ]
        if problems:
            raise ScenarioError(problems)
        return scenario

    def _playbook(self, key: object, locate: _Locator, problems: list[Problem]) -> Playbook | None:
        """The scenario's playbook; None (a problem noted) when it is unknown or not given."""
        if not isinstance(key, str):
            return None  # the schema reports a missing or mistyped `playbook`
        try:
            return self.playbooks(key)
        except NotFound:
            message = f"unknown playbook `{key}`"
            problems.append(locate.finding(Finding(("playbook",), "unknown-reference", message)))
            return None

    def _base(
        self,
        data: dict[str, Any],
        source: MarkedSource,
        file: str,
        base_dir: Path,
        chain: tuple[Path, ...],
        problems: list[Problem],
    ) -> dict[str, Any] | None:
        """The data of the design this file changes; None for a whole file or on a problem."""
        if "extends" in data and "base" in data:
            message = "give `extends` (another scenario file) or `base: fitted`, not both"
            problems.append(source.problem(file, ("base",), "wrong-value", message, on_key=True))
            return None
        if "base" in data:
            return self._fitted(data, source, file, problems)
        if "extends" not in data:
            return None
        target = data["extends"]
        if not isinstance(target, str) or not target.strip():
            message = f"`extends` must be the path of a scenario file, got {target!r}"
            problems.append(source.problem(file, ("extends",), "wrong-type", message))
            return None
        path = (base_dir / target).resolve()
        if path in chain:
            loop = " -> ".join(p.name for p in (*chain, path))
            message = f"scenario files extend each other in a loop: {loop}"
            problems.append(source.problem(file, ("extends",), "extends-cycle", message))
            return None
        if self.within is not None and not path.is_relative_to(self.within):
            shipped = ", ".join(f"{key}.yaml" for key in shipped_scenarios())
            message = f"`extends` can only name a shipped scenario here ({shipped}), got {target!r}"
            problems.append(source.problem(file, ("extends",), "unknown-reference", message))
            return None
        if not path.is_file():
            # a web form's text never learns where the server keeps its files
            shown = repr(target) if self.within is not None else str(path)
            message = f"`extends`: no scenario file at {shown}"
            problems.append(source.problem(file, ("extends",), "unknown-reference", message))
            return None
        try:
            parent = self.file(path, chain)
        except ScenarioError as error:
            message = f"`extends`: the scenario {target} has {len(error.problems)} problem(s)"
            problems.append(source.problem(file, ("extends",), "unknown-reference", message))
            problems += error.problems
            return None
        return parent.model_dump(mode="json")

    def _fitted(
        self, data: dict[str, Any], source: MarkedSource, file: str, problems: list[Problem]
    ) -> dict[str, Any] | None:
        if data["base"] != "fitted":
            message = (
                f"`base` can only be `fitted` (use `extends` for a file), got {data['base']!r}"
            )
            problems.append(source.problem(file, ("base",), "unknown-reference", message))
            return None
        playbook = data.get("playbook")
        if not isinstance(playbook, str):
            message = "a scenario with `base: fitted` must name the `playbook` to fit"
            problems.append(source.problem(file, ("base",), "missing-field", message, on_key=True))
            return None
        try:
            self.playbooks(playbook)
            fitted = self.fitted(playbook) if self.fitted is not None else None
        except NotFound:
            message = f"unknown playbook `{playbook}`"
            problems.append(source.problem(file, ("playbook",), "unknown-reference", message))
            return None
        except DealgraphError as error:
            message = f"`base: fitted`: cannot fit playbook `{playbook}`: {error}"
            problems.append(source.problem(file, ("base",), "no-workspace", message))
            return None
        if fitted is None:
            message = "`base: fitted` needs a workspace to fit from (give --db)"
            problems.append(source.problem(file, ("base",), "no-workspace", message))
            return None
        return fitted.model_dump(mode="json")


def _parse(text: str, file: str) -> tuple[MarkedSource | None, list[Problem]]:
    return parse_marked(
        text, file, expected="a scenario must be a mapping (title, playbook, stages, ...)"
    )


def _merge(base: dict[str, Any], change: dict[str, Any]) -> tuple[dict[str, Any], list[Finding]]:
    """The base design with a file's changes applied (see the module docstring)."""
    merged = copy.deepcopy(base)
    findings: list[Finding] = []
    for key, value in change.items():
        old = merged.get(key)
        if key in ("value", "channels", "stages") and isinstance(old, dict):
            if not isinstance(value, dict):
                merged[key] = value
            elif key == "value":
                merged[key] = {**old, **value}
            elif key == "channels":
                for channel, spec in value.items():
                    previous = old.get(channel)
                    if isinstance(previous, dict) and isinstance(spec, dict):
                        old[channel] = {**previous, **spec}
                    else:
                        old[channel] = spec
            else:
                for stage, spec in value.items():
                    previous = old.get(stage)
                    if isinstance(previous, dict) and isinstance(spec, dict):
                        old[stage], found = _merge_stage(stage, previous, spec)
                        findings += found
                    else:
                        old[stage] = spec
        else:
            merged[key] = value
    return merged, findings


def _merge_stage(
    stage: str, old: dict[str, Any], change: dict[str, Any]
) -> tuple[dict[str, Any], list[Finding]]:
    merged = dict(old)
    for key, value in change.items():
        if key == "mix" and isinstance(value, dict) and isinstance(old.get("mix"), dict):
            merged["mix"] = {**old["mix"], **value}
        else:
            merged[key] = value
    given = [kind for kind in OUTCOMES if kind in change]
    rest = [kind for kind in OUTCOMES if kind not in change]
    numbers = all(_is_number(change[k]) for k in given) and all(_is_number(old[k]) for k in rest)
    if not given or not rest or not numbers:
        return merged, []
    remainder = 1.0 - sum(float(change[kind]) for kind in given)
    rest_total = sum(float(old[kind]) for kind in rest)
    names = ", ".join(f"`{kind}`" for kind in rest)
    if remainder < -SUM_TOLERANCE:
        message = (
            f"stage `{stage}`: the probabilities changed here sum to {1 - remainder:.6g}, "
            "more than 1"
        )
        return merged, [Finding(("stages", stage), "probability-sum", message, (), "key")]
    if rest_total <= 0:
        if remainder > SUM_TOLERANCE:
            message = (
                f"stage `{stage}`: {remainder:.6g} is left to share but the base gives 0 to "
                f"{names}; set them here"
            )
            return merged, [Finding(("stages", stage), "probability-sum", message, (), "key")]
        return merged, []
    for kind in rest:
        merged[kind] = float(old[kind]) * max(remainder, 0.0) / rest_total
    return merged, []


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class _Locator:
    """Turns paths in the (merged) scenario data into located problems in one file."""

    def __init__(self, source: MarkedSource, file: str, *, inherited: bool) -> None:
        self.source = source
        self.file = file
        self.inherited = inherited

    def location(self, path: DataPath, *, on_key: bool) -> Location:
        """Where ``path`` sits in this file; inherited parts point at ``extends``/``base``."""
        if self.inherited and path and (path[0],) not in self.source.values:
            anchor = "extends" if ("extends",) in self.source.keys else "base"
            node = self.source.keys.get((anchor,))
            if node is not None:
                return Location(node.start_mark.line + 1, node.start_mark.column + 1, path)
        return self.source.location(path, on_key=on_key)

    def finding(self, finding: Finding) -> Problem:
        location = self.location(finding.path, on_key=finding.target == "key")
        return Problem(self.file, location, finding.code, finding.message, finding.hints)

    def schema(self, detail: Any) -> Problem:
        path: DataPath = tuple(detail["loc"])
        kind: str = detail["type"]
        where = " -> ".join(map(str, path[:-1])) or "the scenario"
        name = path[-1] if path else ""
        got = detail.get("input")
        code = "wrong-value"
        hints: tuple[str, ...] = ()
        if kind == "missing":
            code, message = "missing-field", f"{where} is missing required field `{name}`"
        elif kind == "extra_forbidden":
            fields = list(_model_at(path[:-1]).model_fields)
            hints = tuple(difflib.get_close_matches(str(name), fields, n=3))
            hint = f"; did you mean {' or '.join(f'`{c}`' for c in hints)}?" if hints else ""
            code, message = "unknown-field", f"unknown field `{name}` in {where}{hint}"
        elif kind in ("greater_than_equal", "greater_than") and _is_number(got) and got < 0:
            code, message = "negative-value", f"`{name}` must not be negative, got {got!r}"
        elif kind == "less_than_equal" and name in OUTCOMES:
            message = f"`{name}` is a probability from 0 to 1, got {got!r}"
        else:
            shown = f"{got!r}" if not isinstance(got, dict | list) else type(got).__name__
            message = f"`{name}`: {detail['msg'][0].lower()}{detail['msg'][1:]}, got {shown}"
            if kind.endswith(("_type", "_parsing")):
                code = "wrong-type"
        if kind == "missing":  # on the key of the mapping that lacks the field
            location = replace(self.location(path[:-1], on_key=True), path=path)
        else:
            location = self.location(path, on_key=kind == "extra_forbidden")
        return Problem(self.file, location, code, message, hints)


def _model_at(path: DataPath) -> type[BaseModel]:
    """The schema class that describes the mapping at ``path``."""
    if not path:
        return Scenario
    if path[-1] == "days" and len(path) == 3:
        return Days
    section = str(path[0])
    if section == "value" and len(path) == 1:
        return Value
    if section in ("channels", "stages") and len(path) == 2:
        return _MODELS[section]
    return Scenario
