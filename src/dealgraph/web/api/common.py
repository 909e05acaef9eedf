"""Small helpers the API routers share."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ValidationError

from dealgraph.core.model import Record
from dealgraph.errors import InvalidInput

R = TypeVar("R", bound=Record)

# Documented on every route that reads or writes one deal's data.
DEAL_ERRORS: dict[int | str, dict[str, str]] = {
    401: {"description": "not signed in and no API token"},
    403: {"description": "the deal is not visible to you, or a cookie write lacks its CSRF token"},
    404: {"description": "no such record"},
}
WRITE_ERRORS: dict[int | str, dict[str, str]] = {
    **DEAL_ERRORS,
    409: {"description": "stale version (body has current_version) or a dependency cycle"},
    422: {"description": "invalid input (body names the field in `where`)"},
}


def changed(current: R, body: BaseModel, *, skip: frozenset[str] = frozenset({"version"})) -> R:
    """``current`` with the fields the client sent, validated as a whole record again."""
    changes = body.model_dump(exclude_unset=True, exclude=set(skip))
    return _validated(type(current), {**current.model_dump(), **changes})


def created(record_type: type[R], body: BaseModel, **extra: object) -> R:
    """A new domain record from a create body plus server-side fields."""
    return _validated(record_type, {**body.model_dump(), **extra})


def _validated(record_type: type[R], data: dict[str, object]) -> R:
    """The record, or InvalidInput naming the first wrong field (e.g. ``title`` sent as null)."""
    try:
        return record_type.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise InvalidInput(first["msg"], where=where) from None


M = TypeVar("M", bound=BaseModel)


def public(model: type[M], **fields: object) -> M:
    """A response model built from domain records (re-read into the ``...Public`` types)."""
    return model.model_validate({name: _plain(value) for name, value in fields.items()})


def _plain(value: object) -> object:
    if isinstance(value, BaseModel):
        return value.model_dump()
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value
