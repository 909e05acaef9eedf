"""Domain errors. Edges (CLI, web) translate them; nothing below the edges catches them."""

from __future__ import annotations

from dataclasses import dataclass, field


class DealgraphError(Exception):
    """Base of every error the product raises on purpose."""


class NotFound(DealgraphError):
    """A record named by id or key does not exist."""

    def __init__(self, kind: str, ident: object) -> None:
        super().__init__(f"{kind} {ident!r} not found")
        self.kind = kind
        self.ident = ident


class Conflict(DealgraphError):
    """A write was refused: a stale version, a duplicate, or a state that forbids it."""

    def __init__(self, message: str, *, current_version: int | None = None) -> None:
        super().__init__(message)
        self.current_version = current_version


class InvalidInput(DealgraphError):
    """A value given by a user is wrong; ``where`` names the field or record."""

    def __init__(self, message: str, *, where: str = "") -> None:
        super().__init__(f"{where}: {message}" if where else message)
        self.message = message
        self.where = where


class CycleError(Conflict):
    """Adding a dependency would close a cycle in a graph that must stay acyclic."""

    def __init__(self, cycle: list[str]) -> None:
        super().__init__("dependency would make a cycle: " + " -> ".join(cycle))
        self.cycle = cycle


@dataclass(frozen=True, order=True)
class Location:
    """Where a problem sits in a user file: 1-based line and column plus the YAML/JSON path."""

    line: int = 0
    column: int = 0
    path: tuple[str | int, ...] = ()

    def path_text(self) -> str:
        return " -> ".join(str(part) for part in self.path)


@dataclass(frozen=True)
class Problem:
    """One located problem in a user file."""

    file: str
    location: Location
    code: str
    message: str
    hints: tuple[str, ...] = field(default=())

    def __str__(self) -> str:
        where = f"{self.file}:{self.location.line}:{self.location.column}"
        path = self.location.path_text()
        text = f"{where}: {self.message}"
        return f"{text} (at {path})" if path else text

    def to_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.location.line,
            "column": self.location.column,
            "path": list(self.location.path),
            "path_text": self.location.path_text(),
            "code": self.code,
            "message": self.message,
        }


class PlaybookError(DealgraphError):
    """A playbook failed to load; ``problems`` lists every problem found, sorted by line."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.file, p.location.line, p.location.column))
        head = f"{len(self.problems)} problem(s) in playbook"
        super().__init__(head + "\n" + "\n".join(str(p) for p in self.problems))


class ImportFailed(DealgraphError):
    """A workspace import was refused; nothing was written. ``where`` names record and field."""

    def __init__(self, message: str, *, where: str) -> None:
        super().__init__(f"{where}: {message}")
        self.message = message
        self.where = where


class Forbidden(DealgraphError):
    """The signed-in user may not see or change this record."""


class AuthFailed(DealgraphError):
    """Sign-in or token check failed; the message never says which part was wrong."""

    def __init__(self, message: str = "wrong email or password") -> None:
        super().__init__(message)


class RateLimited(DealgraphError):
    """Too many attempts; try again after ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many attempts; try again in {retry_after} s")
        self.retry_after = retry_after
