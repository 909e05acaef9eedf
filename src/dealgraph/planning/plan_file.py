"""The inputs of a quota plan: the period it covers and the plan file of rate overrides.

A plan file is YAML. Every key is optional; a key that is present replaces the rate the
workspace's history gives::

    win_rate: 0.22               # share of closed deals that are won
    average_deal: 60000          # value of a won deal, in the plan's currency
    conversion:                  # per stage: share of deals reaching it that reach the next
      qualify: 0.6
    cycle_days: 90               # median days from creation to the win
    cycle_days_p90: 150          # 90th percentile of the same
    sellers: 8
    weeks: 13                    # selling weeks in the period
    conversations_per_advance: 3 # meetings and calls per stage advance
    activities_per_advance: 8    # interactions of any channel per stage advance

Loading reports every problem at once, each with file, line, column and path, as
:class:`PlanFileError` (a :class:`~dealgraph.errors.PlaybookError`, so every edge already
shows it the way it shows a playbook's problems).
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from dealgraph.errors import Location, PlaybookError, Problem

DataPath = tuple[str | int, ...]
SHARE_FIELDS = frozenset({"win_rate", "conversion"})
Share = Annotated[float, Field(gt=0, le=1)]


class PlanFile(BaseModel):
    """Rate overrides read from a plan file; ``None`` keeps the rate from history."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    win_rate: float | None = Field(default=None, gt=0, le=1, description="won / closed")
    average_deal: float | None = Field(default=None, gt=0, description="value of a won deal")
    conversion: dict[str, Share] | None = Field(
        default=None, description="stage -> share of deals reaching it that reach the next"
    )
    cycle_days: float | None = Field(default=None, gt=0, description="median days to a win")
    cycle_days_p90: float | None = Field(default=None, gt=0, description="p90 days to a win")
    sellers: int | None = Field(default=None, ge=1, description="sellers sharing the quota")
    weeks: float | None = Field(default=None, gt=0, description="selling weeks in the period")
    conversations_per_advance: float | None = Field(
        default=None, ge=0, description="meetings and calls per stage advance"
    )
    activities_per_advance: float | None = Field(
        default=None, ge=0, description="interactions of any channel per stage advance"
    )


class PlanFileError(PlaybookError):
    """A plan file failed to load; ``problems`` lists every problem, located, sorted by line."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems)
        head = f"{len(self.problems)} problem(s) in plan file"
        self.args = (head + "\n" + "\n".join(str(p) for p in self.problems),)


def load_plan_file(
    path: str | Path, *, stages: Sequence[str] | None = None, won_stage: str | None = None
) -> PlanFile:
    """Load a plan file; ``stages`` are the keys ``conversion`` may name (None: any)."""
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        message = f"cannot read the plan file: {reason}"
        raise PlanFileError([Problem(file, Location(1, 1), "unreadable-file", message)]) from error
    return load_plan_text(text, file=file, stages=stages, won_stage=won_stage)


def load_plan_text(
    text: str,
    *,
    file: str = "<string>",
    stages: Sequence[str] | None = None,
    won_stage: str | None = None,
) -> PlanFile:
    """Load a plan file from YAML text; every problem is raised together, located.

    Example:
        >>> load_plan_text("win_rate: 0.22\\nsellers: 8").sellers
        8
    """
    try:
        marks = _Marks.parse(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        message = f"YAML syntax error: {error.problem or 'not valid YAML'}"
        raise PlanFileError(
            [Problem(file, Location(line, column), "yaml-syntax", message)]
        ) from None
    if not isinstance(marks.data, dict):
        kind = "empty" if marks.data is None else f"a {type(marks.data).__name__}"
        message = (
            f"a plan file must be a mapping of rates (win_rate, average_deal, ...), got {kind}"
        )
        raise PlanFileError([Problem(file, Location(1, 1), "not-a-mapping", message)])
    problems = [
        Problem(file, marks.location(path, on_key=True), "duplicate-key", message)
        for path, message in marks.dupes
    ]
    plan: PlanFile | None = None
    try:
        plan = PlanFile.model_validate(marks.data)
    except ValidationError as error:
        problems += [_schema_problem(file, marks, detail) for detail in error.errors()]
    conversion = marks.data.get("conversion")
    if stages is not None and isinstance(conversion, dict):
        problems += _stage_problems(file, marks, conversion, list(stages), won_stage)
    if problems or plan is None:
        raise PlanFileError(problems)
    return plan


def _schema_problem(file: str, marks: _Marks, detail: Any) -> Problem:
    path: DataPath = tuple(detail["loc"])
    kind: str = detail["type"]
    name = str(path[0]) if path else ""
    got = detail.get("input")
    where = marks.location(path)
    if kind == "extra_forbidden":
        close = tuple(difflib.get_close_matches(name, list(PlanFile.model_fields), n=2))
        hint = f"; did you mean {' or '.join(f'`{c}`' for c in close)}?" if close else ""
        known = ", ".join(PlanFile.model_fields)
        message = f"unknown field `{name}`{hint} (a plan file may set: {known})"
        return Problem(file, marks.location(path, on_key=True), "unknown-field", message, close)
    subject = " -> ".join(str(part) for part in path)
    if name in SHARE_FIELDS and kind in {"greater_than", "less_than_equal"}:
        percent = isinstance(got, int | float) and 1 < got <= 100
        hint = f" (write {got:g} % as {got / 100:g})" if percent else ""
        message = f"`{subject}` must be a share above 0 and at most 1{hint}, got {got!r}"
        return Problem(file, where, "wrong-value", message)
    if kind == "dict_type":
        example = f"`{subject}: {{qualify: 0.6}}`"
        message = f"`{subject}` must be a mapping of stage: share, for example {example}"
        return Problem(file, where, "wrong-type", message)
    shown = f"a {type(got).__name__}" if isinstance(got, dict | list) else repr(got)
    reason = detail["msg"][0].lower() + detail["msg"][1:]
    code = "wrong-type" if kind.endswith(("_type", "_parsing")) else "wrong-value"
    return Problem(file, where, code, f"`{subject}`: {reason}, got {shown}")


def _stage_problems(
    file: str,
    marks: _Marks,
    conversion: dict[Any, Any],
    stages: list[str],
    won_stage: str | None,
) -> list[Problem]:
    problems = []
    for key in conversion:
        if key in stages:
            continue
        path: DataPath = ("conversion", key)
        if key == won_stage:
            message = (
                f"`{key}` is the won end: it has no conversion; the last one is out of "
                f"`{stages[-1]}`"
                if stages
                else f"`{key}` is the won end: it has no conversion"
            )
            problems.append(Problem(file, marks.location(path, on_key=True), "won-stage", message))
            continue
        close = tuple(difflib.get_close_matches(str(key), stages, n=2))
        hint = f"did you mean {' or '.join(f'`{c}`' for c in close)}? " if close else ""
        message = f"unknown stage `{key}` in conversion; {hint}stages: {', '.join(stages)}"
        location = marks.location(path, on_key=True)
        problems.append(Problem(file, location, "unknown-reference", message, close))
    return problems


class _Marks:
    """The parsed data plus where each key and value sits in the text."""

    def __init__(self, data: object, root: yaml.Node | None) -> None:
        self.data = data
        self.keys: dict[DataPath, yaml.Node] = {}
        self.values: dict[DataPath, yaml.Node] = {}
        self.dupes: list[tuple[DataPath, str]] = []
        if root is not None:
            self._index(root, ())

    @classmethod
    def parse(cls, text: str) -> _Marks:
        loader = yaml.SafeLoader(text)
        try:
            root = loader.get_single_node()
            data = loader.construct_document(root) if root is not None else None
        finally:
            loader.dispose()
        return cls(data, root)

    def _index(self, node: yaml.Node, path: DataPath) -> None:
        self.values[path] = node
        if not isinstance(node, yaml.MappingNode):
            return
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in first_line:
                self.dupes.append(
                    (
                        (*path, key),
                        f"key `{key}` appears twice (first on line {first_line[key]}); "
                        "YAML would silently keep only the last",
                    )
                )
            first_line.setdefault(key, key_node.start_mark.line + 1)
            self.keys[(*path, key)] = key_node
            self._index(value_node, (*path, key))

    def location(self, path: DataPath, *, on_key: bool = False) -> Location:
        node = self.keys.get(path) if on_key else None
        for end in range(len(path), -1, -1):
            if node is not None:
                break
            node = self.values.get(path[:end])
        if node is None:
            return Location(1, 1, path)
        return Location(node.start_mark.line + 1, node.start_mark.column + 1, path)
