"""Reading a YAML mapping file (CRM or event-log import) into its pydantic model.

Every failure is an ImportFailed that names the file and, where there is one, the line and
column of bad YAML or the key path of a bad entry.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from dealgraph.errors import ImportFailed

M = TypeVar("M", bound=BaseModel)


def read_mapping_file(path: Path, model: type[M]) -> M:
    """``path`` parsed as YAML and validated as ``model``; an empty file is an empty mapping."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ImportFailed(f"cannot read the file: {error.strerror}", where=str(path)) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark is not None else str(path)
        raise ImportFailed(
            f"not valid YAML: {getattr(error, 'problem', error)}", where=where
        ) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ImportFailed("a mapping file is a YAML mapping of keys", where=str(path))
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        location = " -> ".join(str(part) for part in first["loc"])
        raise ImportFailed(first["msg"], where=f"{path} -> {location}") from None
