"""Load playbook YAML into the model, reporting every problem with its file, line and path.

Loading has three passes over one parse: the YAML node tree (syntax and duplicate mapping
keys), the pydantic schema (missing, unknown and mistyped fields, levels out of range)
and the semantic checks of ``checks.py`` (references, cycles, reachability, rules). All
problems are gathered and raised together in one :class:`PlaybookError`, sorted by line.
"""

from __future__ import annotations

import difflib
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

import yaml
from pydantic import BaseModel, ValidationError

from dealgraph.core.playbook.checks import Finding, check_playbook_data
from dealgraph.core.playbook.schema import (
    Contingency,
    Criterion,
    DecisionTemplate,
    Duration,
    Play,
    Playbook,
    SignalRule,
    Stage,
)
from dealgraph.errors import Location, NotFound, PlaybookError, Problem

PLAYBOOK_DIR = Path(__file__).resolve().parents[2] / "playbooks"
DataPath = tuple[str | int, ...]

PROBLEM_CODES: dict[str, str] = {
    "yaml-syntax": "the file is not valid YAML",
    "not-a-mapping": "the file is empty or its top level is not a mapping",
    "unreadable-file": "the file cannot be read (missing, a directory, not UTF-8)",
    "duplicate-key": "a key repeated in a YAML mapping, or two elements of a section share a key",
    "builtin-signal-key": "a playbook signal reuses the key of a built-in signal",
    "missing-field": "a required field is absent",
    "unknown-field": "a field the language does not define (often a typo)",
    "wrong-type": "a value of the wrong type (a word where a number or list is needed)",
    "wrong-value": "a value of the right type outside what is allowed (an unknown channel)",
    "level-range": "a level of work outside the Jaques strata 1-7",
    "unknown-reference": "a reference to a stage, criterion, play or decision that does not exist",
    "decision-cycle": "decisions in the template that require each other in a cycle",
    "unreachable-stage": "a stage no route from the start stage reaches",
    "no-route-to-won": "a stage with no route to a stage with `end: won`, or no won end at all",
    "criterion-not-produced": "an exit criterion that is in no play's outcome",
    "rule-syntax": "a CEL rule that does not parse",
    "rule-unknown-field": "a CEL rule that reads a name that is not a deal-context field",
    "rule-type": "a CEL rule that does not give a boolean on the example context",
    "duration-order": "a stage whose p90 duration is below its p50",
}

_SECTION_MODELS: dict[str, type[BaseModel]] = {
    "stages": Stage,
    "criteria": Criterion,
    "plays": Play,
    "decisions": DecisionTemplate,
    "signals": SignalRule,
}


def load_playbook(path: str | Path) -> Playbook:
    """Load a playbook file; PlaybookError lists every problem, located."""
    return load_playbook_text(_read(Path(path)), file=str(path))


def load_playbook_text(text: str, *, file: str = "<string>") -> Playbook:
    """Load a playbook from YAML text; ``file`` is the name problems are reported against.

    Example:
        >>> try:
        ...     load_playbook_text("key: x")
        ... except PlaybookError as error:
        ...     print(error.problems[0].code, error.problems[0].message)
        missing-field the playbook is missing required field `title`
    """
    playbook, problems = _load(text, file)
    if problems or playbook is None:
        raise PlaybookError(problems)
    return playbook


def validate_playbook_file(path: str | Path) -> list[Problem]:
    """Every problem of a playbook file, sorted by line; ``[]`` when it is valid."""
    try:
        text = _read(Path(path))
    except PlaybookError as error:
        return error.problems
    return PlaybookError(_load(text, str(path))[1]).problems


def shipped_playbooks() -> dict[str, Path]:
    """The playbooks that come with dealgraph, by key."""
    return {path.stem: path for path in sorted(PLAYBOOK_DIR.glob("*.yaml"))}


def get_playbook(name_or_path: str) -> Playbook:
    """A shipped playbook by key, or a playbook file by path (cached while unchanged).

    Raises NotFound when it is neither; PlaybookError when the file has problems.
    """
    shipped = shipped_playbooks()
    path = shipped.get(name_or_path) or Path(name_or_path)
    try:
        stat = path.stat()
    except OSError:
        raise NotFound("playbook", name_or_path) from None
    if not path.is_file():
        raise NotFound("playbook", name_or_path)
    return _load_cached(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=32)
def _load_cached(path: str, mtime_ns: int, size: int) -> Playbook:
    # mtime and size are part of the key so an edited file is read again.
    return load_playbook(path)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        problem = Problem(
            str(path), Location(1, 1), "unreadable-file", f"cannot read the file: {reason}"
        )
        raise PlaybookError([problem]) from error


# -- the passes ------------------------------------------------------------------------------


def parse_marked(
    text: str, file: str, *, expected: str
) -> tuple[MarkedSource | None, list[Problem]]:
    """``text`` parsed with the place of each part, and its problems so far, located.

    Bad YAML or a top level that is not a mapping gives no source and that one problem
    (``expected`` says what the mapping should be); otherwise the source and a
    ``duplicate-key`` problem for each key repeated in a mapping. Shared by every YAML file
    the product reads with located errors (playbooks, scenarios).
    """
    try:
        source = MarkedSource.parse(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        reason = error.problem or "not valid YAML"
        message = f"YAML syntax error: {reason}" + (f" ({error.context})" if error.context else "")
        return None, [Problem(file, Location(line, column), "yaml-syntax", message)]
    except yaml.YAMLError as error:
        return None, [Problem(file, Location(1, 1), "yaml-syntax", f"YAML error: {error}")]
    if not isinstance(source.data, dict):
        kind = "empty" if source.data is None else f"a {_yaml_kind(source.data)}"
        return None, [Problem(file, Location(1, 1), "not-a-mapping", f"{expected}, got {kind}")]
    problems = [
        source.problem(file, path, "duplicate-key", message, on_key=True)
        for path, message in source.dupes
    ]
    return source, problems


def _load(text: str, file: str) -> tuple[Playbook | None, list[Problem]]:
    source, problems = parse_marked(
        text, file, expected="a playbook must be a mapping of fields (key, title, stages, ...)"
    )
    if source is None:
        return None, problems
    data = cast(dict[str, object], source.data)  # parse_marked gives a source for a mapping only
    playbook: Playbook | None = None
    try:
        playbook = Playbook.model_validate(data)
    except ValidationError as error:
        problems += [_schema_problem(file, source, detail) for detail in error.errors()]
    problems += [source.finding(file, finding) for finding in check_playbook_data(data)]
    return playbook, problems


def _schema_problem(file: str, source: MarkedSource, detail: Any) -> Problem:
    path: DataPath = tuple(detail["loc"])
    kind: str = detail["type"]
    where = " -> ".join(map(str, path[:-1])) or "the playbook"
    name = path[-1] if path else ""
    if kind == "missing":
        return source.problem(
            file, path, "missing-field", f"{where} is missing required field `{name}`"
        )
    if kind == "extra_forbidden":
        model = _model_at(path[:-1])
        fields = list(model.model_fields) if model is not None else []
        close = tuple(difflib.get_close_matches(str(name), fields, n=3))
        hint = f"; did you mean {' or '.join(f'`{c}`' for c in close)}?" if close else ""
        message = f"unknown field `{name}` in {where}{hint}"
        return source.problem(file, path, "unknown-field", message, hints=close, on_key=True)
    got = detail.get("input")
    shown = f"{got!r}" if not isinstance(got, dict | list) else f"a {_yaml_kind(got)}"
    subject = f"`{name}`" if isinstance(name, str) else f"`{path[-2]}` item {name}"
    message = f"{subject}: {detail['msg'][0].lower()}{detail['msg'][1:]}, got {shown}"
    if name == "level" and kind in {"greater_than_equal", "less_than_equal"}:
        return source.problem(
            file, path, "level-range", f"`level` must be a Jaques level from 1 to 7, got {got!r}"
        )
    if kind == "list_type" and isinstance(got, str):
        message += f"; write a list, for example `{name}: [{got}]`"
    code = "wrong-type" if kind.endswith(("_type", "_parsing")) else "wrong-value"
    return source.problem(file, path, code, message)


def _model_at(path: DataPath) -> type[BaseModel] | None:
    """The schema class that describes the mapping at ``path``."""
    if not path:
        return Playbook
    if len(path) == 2 and str(path[0]) in _SECTION_MODELS:
        return _SECTION_MODELS[str(path[0])]
    if path[0] == "stages" and len(path) == 3 and path[2] == "duration":
        return Duration
    if path[0] == "stages" and len(path) == 4 and path[2] == "contingencies":
        return Contingency
    return None


def _yaml_kind(value: object) -> str:
    if isinstance(value, dict):
        return "mapping"
    if isinstance(value, list):
        return "list"
    return type(value).__name__


class MarkedSource:
    """The parsed data plus where each of its parts sits in the text."""

    def __init__(self, text: str, data: object, root: yaml.Node | None) -> None:
        self.lines = text.splitlines()
        self.data = data
        self.values: dict[DataPath, yaml.Node] = {}
        self.keys: dict[DataPath, yaml.Node] = {}
        self.dupes: list[tuple[DataPath, str]] = []
        if root is not None:
            self._walked: set[int] = set()
            self._index(root, ())

    @classmethod
    def parse(cls, text: str) -> MarkedSource:
        loader = yaml.SafeLoader(text)
        try:
            root = loader.get_single_node()
            data = loader.construct_document(root) if root is not None else None
        finally:
            loader.dispose()
        return cls(text, data, root)

    def _index(self, node: yaml.Node, path: DataPath) -> None:
        self.values[path] = node
        if id(node) in self._walked:
            # An alias of a node walked already: its parts are located at the anchor, and
            # not walking it again keeps nested aliases from multiplying the work.
            return
        self._walked.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first_line: dict[object, int] = {}
            for key_node, value_node in node.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
                if key in first_line and key != "<<":
                    self.dupes.append(
                        (
                            (*path, key),
                            f"key `{key}` appears twice in this mapping (first on line "
                            f"{first_line[key]}); YAML would silently keep only the last",
                        )
                    )
                first_line.setdefault(key, key_node.start_mark.line + 1)
                self.keys[(*path, key)] = key_node
                self._index(value_node, (*path, key))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self._index(item, (*path, index))

    def _node(self, path: DataPath, on_key: bool) -> yaml.Node | None:
        if on_key and path in self.keys:
            return self.keys[path]
        for end in range(len(path), -1, -1):
            if path[:end] in self.values:
                return self.values[path[:end]]
        return None

    def location(self, path: DataPath, *, on_key: bool = False) -> Location:
        node = self._node(path, on_key)
        if node is None:
            return Location(1, 1, path)
        return Location(node.start_mark.line + 1, node.start_mark.column + 1, path)

    def problem(
        self,
        file: str,
        path: DataPath,
        code: str,
        message: str,
        *,
        hints: tuple[str, ...] = (),
        on_key: bool = False,
    ) -> Problem:
        """A problem located at ``path`` (its key node when ``on_key``)."""
        return Problem(file, self.location(path, on_key=on_key), code, message, hints)

    def finding(self, file: str, finding: Finding) -> Problem:
        """A semantic finding as a located problem (inside the rule text for rules)."""
        location = self.location(finding.path, on_key=finding.target == "key")
        node = self.values.get(finding.path)
        if finding.rule_position is not None and isinstance(node, yaml.ScalarNode):
            line, column = self._inside_scalar(node, *finding.rule_position)
            location = Location(line, column, finding.path)
        return Problem(file, location, finding.code, finding.message, finding.hints)

    def _inside_scalar(self, node: yaml.ScalarNode, line: int, column: int) -> tuple[int, int]:
        """File (line, column), 1-based, of a (line, column) inside a scalar's value."""
        start, end = node.start_mark, node.end_mark
        if node.style == "|":
            # A literal block keeps its lines; it starts on the line after the indicator.
            first = start.line + 1
            base = self._indent(first, end.line)
            return first + line, base + column
        if node.style is None or node.style in ("'", '"'):
            if start.line == end.line:
                quote = 0 if node.style is None else 1
                return start.line + 1, start.column + quote + column
        # Folded text (a ``>`` block or a flow scalar over several lines): each line
        # break became one space, so walk the lines to find the one holding the column.
        segments: list[tuple[int, int, str]] = []
        first_row = start.line + 1 if node.style == ">" else start.line
        for row in range(first_row, min(end.line, len(self.lines) - 1) + 1):
            raw = self.lines[row]
            if row == start.line:
                offset = start.column + (0 if node.style is None else 1)
                segments.append((row, offset, raw[offset:].rstrip()))
            elif raw.strip():
                stripped = raw.lstrip()
                segments.append((row, len(raw) - len(stripped), stripped.rstrip()))
        remaining = column
        for row, offset, content in segments:
            if remaining <= len(content) + 1:
                return row + 1, offset + remaining
            remaining -= len(content) + 1
        return start.line + 1, start.column + 1

    def _indent(self, first: int, last: int) -> int:
        """Indentation of the first non-blank line from ``first`` to ``last`` (0-based rows)."""
        for row in range(first, min(last, len(self.lines) - 1) + 1):
            if self.lines[row].strip():
                return len(self.lines[row]) - len(self.lines[row].lstrip(" "))
        return 0
